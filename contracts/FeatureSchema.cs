namespace CreditRisk.Contracts;

/// <summary>Whether an attribute is a category (string in JSON and ONNX) or a number (integer in JSON, float in ONNX).</summary>
public enum SchemaKind
{
    Categorical,
    Numeric,
}

/// <summary>One allowed value of a categorical attribute: the readable value, the UCI code it stands for, the codebook text.</summary>
public sealed record SchemaValue(string Value, string UciCode, string Description);

/// <summary>
/// One applicant attribute. <see cref="Name"/> is the JSON property name, the ML.NET column name and the ONNX input
/// name alike, so a Python or Node user reads the same names as a REST client.
/// </summary>
public sealed record Feature(
    int Index,
    string Name,
    SchemaKind Kind,
    string Description,
    string Group,
    string ReasonCode,
    string ReasonText,
    IReadOnlyList<SchemaValue> Values,
    int Min = 0,
    int Max = 0)
{
    public bool IsCategorical => Kind == SchemaKind.Categorical;

    public IEnumerable<string> AllowedValues => Values.Select(v => v.Value);

    public bool IsAllowed(string value) => Values.Any(v => v.Value == value);
}

/// <summary>
/// The 20 attributes of the UCI Statlog German Credit data (Hofmann 1994), once, for trainer, server, clients and
/// tests. The UCI code ↔ readable value mapping lives here and nowhere else.
/// </summary>
public static class FeatureSchema
{
    /// <summary>Bumped whenever a name, value or range changes; written into the model so a mismatch is caught at load.</summary>
    public const string Version = "1";

    public static readonly IReadOnlyList<Feature> All =
    [
        Cat(1, "checkingAccount", "Status of existing checking account", "finances", "R01", "Checking account status",
            ("below0", "A11", "... < 0 DM"),
            ("0to200", "A12", "0 <= ... < 200 DM"),
            ("200orMore", "A13", ">= 200 DM / salary assignments for at least 1 year"),
            ("none", "A14", "no checking account")),
        Num(2, "durationMonths", "Duration of the credit in months", "loan", "R02", "Loan duration", 1, 120),
        Cat(3, "creditHistory", "Credit history", "finances", "R03", "Credit history",
            ("noCreditsOrAllPaid", "A30", "no credits taken / all credits paid back duly"),
            ("allPaidThisBank", "A31", "all credits at this bank paid back duly"),
            ("existingPaidDuly", "A32", "existing credits paid back duly till now"),
            ("pastDelays", "A33", "delay in paying off in the past"),
            ("critical", "A34", "critical account / other credits existing (not at this bank)")),
        Cat(4, "purpose", "Purpose of the credit", "loan", "R04", "Purpose of the loan",
            ("newCar", "A40", "car (new)"),
            ("usedCar", "A41", "car (used)"),
            ("furniture", "A42", "furniture/equipment"),
            ("radioTv", "A43", "radio/television"),
            ("appliances", "A44", "domestic appliances"),
            ("repairs", "A45", "repairs"),
            ("education", "A46", "education"),
            ("vacation", "A47", "vacation"),
            ("retraining", "A48", "retraining"),
            ("business", "A49", "business"),
            ("other", "A410", "others")),
        Num(5, "creditAmount", "Credit amount (DM)", "loan", "R05", "Loan amount", 1, 1_000_000),
        Cat(6, "savings", "Savings account/bonds", "finances", "R06", "Savings",
            ("below100", "A61", "... < 100 DM"),
            ("100to500", "A62", "100 <= ... < 500 DM"),
            ("500to1000", "A63", "500 <= ... < 1000 DM"),
            ("1000orMore", "A64", ">= 1000 DM"),
            ("unknown", "A65", "unknown / no savings account")),
        Cat(7, "employmentSince", "Present employment since", "employment", "R07", "Length of present employment",
            ("unemployed", "A71", "unemployed"),
            ("below1y", "A72", "... < 1 year"),
            ("1to4y", "A73", "1 <= ... < 4 years"),
            ("4to7y", "A74", "4 <= ... < 7 years"),
            ("7yOrMore", "A75", ">= 7 years")),
        Num(8, "installmentRate", "Installment rate in percentage of disposable income (1 = lowest, 4 = highest band)", "loan", "R08", "Instalment burden", 1, 4),
        Cat(9, "personalStatusSex", "Personal status and sex", "personal", "R09", "Personal status",
            ("maleDivorced", "A91", "male: divorced/separated"),
            ("femaleDivorcedMarried", "A92", "female: divorced/separated/married"),
            ("maleSingle", "A93", "male: single"),
            ("maleMarriedWidowed", "A94", "male: married/widowed"),
            ("femaleSingle", "A95", "female: single")),
        Cat(10, "otherDebtors", "Other debtors / guarantors", "finances", "R10", "Other debtors or guarantors",
            ("none", "A101", "none"),
            ("coApplicant", "A102", "co-applicant"),
            ("guarantor", "A103", "guarantor")),
        Num(11, "residenceSince", "Present residence since (years, 1-4 band)", "personal", "R11", "Time at present residence", 1, 4),
        Cat(12, "property", "Property", "finances", "R12", "Property",
            ("realEstate", "A121", "real estate"),
            ("savingsOrInsurance", "A122", "building society savings agreement / life insurance"),
            ("carOrOther", "A123", "car or other, not in savings"),
            ("unknown", "A124", "unknown / no property")),
        Num(13, "age", "Age in years", "personal", "R13", "Age", 18, 100),
        Cat(14, "otherInstallmentPlans", "Other installment plans", "finances", "R14", "Other instalment plans",
            ("bank", "A141", "bank"),
            ("stores", "A142", "stores"),
            ("none", "A143", "none")),
        Cat(15, "housing", "Housing", "personal", "R15", "Housing",
            ("rent", "A151", "rent"),
            ("own", "A152", "own"),
            ("free", "A153", "for free")),
        Num(16, "existingCredits", "Number of existing credits at this bank", "finances", "R16", "Number of existing credits", 1, 10),
        Cat(17, "job", "Job", "employment", "R17", "Job",
            ("unskilledNonResident", "A171", "unemployed / unskilled - non-resident"),
            ("unskilledResident", "A172", "unskilled - resident"),
            ("skilled", "A173", "skilled employee / official"),
            ("highlySkilled", "A174", "management / self-employed / highly qualified employee / officer")),
        Num(18, "dependents", "Number of people being liable to provide maintenance for", "personal", "R18", "Number of dependants", 0, 10),
        Cat(19, "telephone", "Telephone", "personal", "R19", "Telephone",
            ("none", "A191", "none"),
            ("registered", "A192", "yes, registered under the customer's name")),
        Cat(20, "foreignWorker", "Foreign worker", "employment", "R20", "Foreign worker status",
            ("yes", "A201", "yes"),
            ("no", "A202", "no")),
    ];

    private static readonly Dictionary<string, Feature> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public static IEnumerable<Feature> Categorical => All.Where(f => f.Kind == SchemaKind.Categorical);

    public static IEnumerable<Feature> Numeric => All.Where(f => f.Kind == SchemaKind.Numeric);

    /// <summary>Attributes a lender may choose to leave out of training (sex via personal status; nationality via foreign-worker status).</summary>
    public static readonly IReadOnlyList<string> Protected = ["personalStatusSex", "foreignWorker"];

    public static Feature Get(string name) =>
        ByName.TryGetValue(name, out var f) ? f : throw new KeyNotFoundException($"No feature named '{name}'.");

    public static bool TryGet(string name, out Feature feature) => ByName.TryGetValue(name, out feature!);

    /// <summary>Readable value for a UCI code, e.g. ("checkingAccount", "A11") → "below0".</summary>
    public static string FromUciCode(string featureName, string uciCode)
    {
        var feature = Get(featureName);
        foreach (var v in feature.Values)
        {
            if (v.UciCode == uciCode)
            {
                return v.Value;
            }
        }

        throw new FormatException($"'{uciCode}' is not a UCI code of {featureName}.");
    }

    /// <summary>UCI code for a readable value, e.g. ("checkingAccount", "below0") → "A11".</summary>
    public static string ToUciCode(string featureName, string value) =>
        Get(featureName).Values.FirstOrDefault(v => v.Value == value)?.UciCode
        ?? throw new FormatException($"'{value}' is not an allowed value of {featureName}.");

    private static Feature Cat(int index, string name, string description, string group, string code, string reason,
        params (string Value, string Uci, string Text)[] values) =>
        new(index, name, SchemaKind.Categorical, description, group, code, reason,
            values.Select(v => new SchemaValue(v.Value, v.Uci, v.Text)).ToArray());

    private static Feature Num(int index, string name, string description, string group, string code, string reason, int min, int max) =>
        new(index, name, SchemaKind.Numeric, description, group, code, reason, [], min, max);
}
