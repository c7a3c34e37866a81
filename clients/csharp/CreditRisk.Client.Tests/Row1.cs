namespace CreditRisk.Client.Tests;

/// <summary>Row 1 of german.data, as the JSON a user would send (every attribute, protected ones included).</summary>
internal static class Row1
{
    public const string Json = """
        {
          "checkingAccount": "below0", "durationMonths": 6, "creditHistory": "critical", "purpose": "radioTv",
          "creditAmount": 1169, "savings": "unknown", "employmentSince": "7yOrMore", "installmentRate": 4,
          "personalStatusSex": "maleSingle", "otherDebtors": "none", "residenceSince": 4, "property": "realEstate",
          "age": 67, "otherInstallmentPlans": "none", "housing": "own", "existingCredits": 2, "job": "skilled",
          "dependents": 1, "telephone": "registered", "foreignWorker": "yes"
        }
        """;
}
