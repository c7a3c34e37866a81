namespace CreditRisk.Contracts;

/// <summary>
/// One loan application: the 20 attributes of <see cref="FeatureSchema"/>. Categorical attributes carry the
/// readable values of the schema ("below0", "radioTv", …); numeric ones are whole numbers within the schema's range.
/// </summary>
public sealed record Applicant
{
    public required string CheckingAccount { get; init; }
    public required int DurationMonths { get; init; }
    public required string CreditHistory { get; init; }
    public required string Purpose { get; init; }
    public required int CreditAmount { get; init; }
    public required string Savings { get; init; }
    public required string EmploymentSince { get; init; }
    public required int InstallmentRate { get; init; }
    public required string PersonalStatusSex { get; init; }
    public required string OtherDebtors { get; init; }
    public required int ResidenceSince { get; init; }
    public required string Property { get; init; }
    public required int Age { get; init; }
    public required string OtherInstallmentPlans { get; init; }
    public required string Housing { get; init; }
    public required int ExistingCredits { get; init; }
    public required string Job { get; init; }
    public required int Dependents { get; init; }
    public required string Telephone { get; init; }
    public required string ForeignWorker { get; init; }

    /// <summary>The value of a categorical attribute by its schema index (1-based, as in the UCI codebook).</summary>
    public string Category(int featureIndex) => featureIndex switch
    {
        1 => CheckingAccount,
        3 => CreditHistory,
        4 => Purpose,
        6 => Savings,
        7 => EmploymentSince,
        9 => PersonalStatusSex,
        10 => OtherDebtors,
        12 => Property,
        14 => OtherInstallmentPlans,
        15 => Housing,
        17 => Job,
        19 => Telephone,
        20 => ForeignWorker,
        _ => throw new ArgumentOutOfRangeException(nameof(featureIndex), featureIndex, "Not a categorical attribute."),
    };

    /// <summary>The value of a numeric attribute by its schema index (1-based, as in the UCI codebook).</summary>
    public int Number(int featureIndex) => featureIndex switch
    {
        2 => DurationMonths,
        5 => CreditAmount,
        8 => InstallmentRate,
        11 => ResidenceSince,
        13 => Age,
        16 => ExistingCredits,
        18 => Dependents,
        _ => throw new ArgumentOutOfRangeException(nameof(featureIndex), featureIndex, "Not a numeric attribute."),
    };

    /// <summary>A copy with one attribute replaced, by name; used for reason codes and edge-case generation.</summary>
    public Applicant With(string featureName, string? category = null, int number = 0) => featureName switch
    {
        "checkingAccount" => this with { CheckingAccount = category! },
        "durationMonths" => this with { DurationMonths = number },
        "creditHistory" => this with { CreditHistory = category! },
        "purpose" => this with { Purpose = category! },
        "creditAmount" => this with { CreditAmount = number },
        "savings" => this with { Savings = category! },
        "employmentSince" => this with { EmploymentSince = category! },
        "installmentRate" => this with { InstallmentRate = number },
        "personalStatusSex" => this with { PersonalStatusSex = category! },
        "otherDebtors" => this with { OtherDebtors = category! },
        "residenceSince" => this with { ResidenceSince = number },
        "property" => this with { Property = category! },
        "age" => this with { Age = number },
        "otherInstallmentPlans" => this with { OtherInstallmentPlans = category! },
        "housing" => this with { Housing = category! },
        "existingCredits" => this with { ExistingCredits = number },
        "job" => this with { Job = category! },
        "dependents" => this with { Dependents = number },
        "telephone" => this with { Telephone = category! },
        "foreignWorker" => this with { ForeignWorker = category! },
        _ => throw new KeyNotFoundException($"No feature named '{featureName}'."),
    };

    /// <summary>A typical applicant from the codebook (row 1 of german.data); the example in docs and the web page.</summary>
    public static Applicant Example { get; } = new()
    {
        CheckingAccount = "below0",
        DurationMonths = 6,
        CreditHistory = "critical",
        Purpose = "radioTv",
        CreditAmount = 1169,
        Savings = "unknown",
        EmploymentSince = "7yOrMore",
        InstallmentRate = 4,
        PersonalStatusSex = "maleSingle",
        OtherDebtors = "none",
        ResidenceSince = 4,
        Property = "realEstate",
        Age = 67,
        OtherInstallmentPlans = "none",
        Housing = "own",
        ExistingCredits = 2,
        Job = "skilled",
        Dependents = 1,
        Telephone = "registered",
        ForeignWorker = "yes",
    };
}
