namespace CreditRisk.Contracts;

public static class Decisions
{
    public const string Approve = "approve";
    public const string Reject = "reject";

    /// <summary>A person decides (issue 30): the model answers with its PD and reasons but neither approves nor rejects.
    /// Only when a refer rule is configured (server setting <c>Refer</c>, docs/oversight.md).</summary>
    public const string Refer = "refer";

    /// <summary>The decision rule, once for trainer, server and golden files: reject when P(bad) is strictly above the threshold.</summary>
    public static bool Rejects(double probabilityOfDefault, double threshold) => probabilityOfDefault > threshold;

    public static string Decide(double probabilityOfDefault, double threshold) =>
        Rejects(probabilityOfDefault, threshold) ? Reject : Approve;

    /// <summary>
    /// The borderline band, once for every transport and the page (issue 33): a PD within this distance of the
    /// applicant's own threshold (0.01 = one percentage point, either side, edges included) is borderline, a decision a
    /// small change in the inputs or in the model could turn. With loan-level economics the threshold is
    /// margin / (margin + loss), so the band is also |expected profit| ≤ 0.01 × (margin + loss): the same cases.
    /// The oversight issue's refer band will start from this definition (docs/economics.md).
    /// </summary>
    public const double BorderlineBand = 0.01;

    public static bool IsBorderline(double probabilityOfDefault, double threshold) =>
        IsWithin(probabilityOfDefault - threshold, BorderlineBand);

    /// <summary>
    /// The one band rule, for the borderline flag and the refer band (issue 30): a distance from the decision boundary
    /// (PD − threshold in PD, or the expected profit in money, whose boundary is 0) within <paramref name="band"/>, edges
    /// included. A NaN distance (economics that could not be computed) is never within.
    /// </summary>
    public static bool IsWithin(double distance, double band) => Math.Abs(distance) <= band;
}

/// <summary>The lender's cost of each wrong decision (positive = "bad" = the borrower defaults).</summary>
public static class CostWeights
{
    /// <summary>Approving a borrower who then defaults.</summary>
    public const double FalseNegative = 5;

    /// <summary>Rejecting a borrower who would have repaid.</summary>
    public const double FalsePositive = 1;
}

/// <summary>Expected cost of each decision for this applicant: approve = 5·PD, reject = 1·(1−PD).</summary>
public sealed record ExpectedCost(double Approve, double Reject);

/// <summary>
/// An adverse-action reason: an attribute that pushed this applicant's PD up. <see cref="Impact"/> is how much
/// the PD would fall if that attribute alone took its most favourable reference value, <see cref="ComparedWith"/> (as
/// people read it). <see cref="Text"/> is the spec's reason text, or "label not provided" when the applicant's value was
/// missing. Never a protected attribute: those are not model inputs, so no "what if" of theirs can move a PD.
/// <see cref="ComparedWith"/> is absent on decisions recorded before it existed.
/// </summary>
public sealed record Reason(
    string Code,
    string Feature,
    string Text,
    double Impact,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? ComparedWith = null)
{
    /// <summary>The reason text when the applicant gave no value: the missing value itself is what the model held against them.</summary>
    public static string NotProvided(FeatureSpec feature) => $"{feature.Text} not provided";

    /// <summary>What <see cref="ComparedWith"/> means, for the OpenAPI document.</summary>
    public const string ComparedWithMeaning = "The favourable value this attribute was compared with (the model's reference value), as people read it: a category's label, or a number with its unit.";

    /// <summary>At most this many reasons per reject: Regulation B's practice (an adverse-action notice names the
    /// principal reasons, and more than four is not meaningful to the applicant).</summary>
    public const int MaxPerReject = 4;

    /// <summary>What <see cref="Impact"/> means, for the OpenAPI document and the page.</summary>
    public const string ImpactMeaning = "How many points (on the 0–1 probability scale) the probability of default would fall if this attribute alone took its most favourable value (the model's reference value), every other attribute unchanged. " +
        "The impacts of several reasons do not add up to the PD or to anything: each is measured alone from the applicant's own PD, and attributes overlap (swapping two together does not move the PD by the sum).";
}

/// <summary>
/// The money behind one decision, as the model file computes it (docs/economics.md). <see cref="Basis"/>: <c>loan</c>,
/// the amounts come from this applicant's own exposure, rate and term, in <see cref="Currency"/>; <c>constant</c>, the
/// card's two cost weights (no currency); <c>fallback</c>, loan-level economics that could not be computed for this
/// applicant (an amount, rate or term missing or zero): the decision used the card's threshold and the amounts are
/// null. <see cref="ExpectedProfit"/> is (1 − PD)·margin − PD·loss. With basis <c>loan</c> the decision is its sign
/// (approve when it is not negative); with <c>constant</c> the decision is at the threshold the trainer chose on cost over
/// the cross-validation folds, which need not be the break-even margin / (margin + loss).
/// </summary>
public sealed record DecisionMoney(string Basis, string? Currency, double? ExpectedProfit, double? Loss, double? Margin)
{
    public const string Fallback = "fallback";
}

/// <summary>One applicant's score. <c>Ids</c> holds the applicant's id attributes (role <c>id</c> in the data set spec) as
/// sent, so batch results can be joined back to the loan book; absent when the request carried none. <c>DecisionId</c>
/// names the committed decision record (absent when recording is off); <c>ApplicationId</c> echoes the client's.
/// <c>Borderline</c>: the PD is within <see cref="Decisions.BorderlineBand"/> of <c>Threshold</c>. <c>ReferReasons</c>: why a
/// <see cref="Decisions.Refer"/> was referred, in words (present on a refer only).</summary>
public sealed record ScoreResult(
    double ProbabilityOfDefault,
    string Decision,
    double Threshold,
    ExpectedCost ExpectedCost,
    string ModelVersion,
    IReadOnlyList<Reason> Reasons,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Ids = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    Guid? DecisionId = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? ApplicationId = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DecisionMoney? Money = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    double? Points = null,
    bool Borderline = false,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? ReferReasons = null);

public sealed record BatchScoreResponse(string ModelVersion, IReadOnlyList<ScoreResult> Results);

/// <summary>
/// The input rules of the served model, as the server applies them (GET /api/v1/model/rules): the cell texts besides
/// an empty cell that mean "missing" in a CSV file (the spec's <c>source.missingValues</c>), and each attribute's rule.
/// </summary>
public sealed record InputRulesInfo(IReadOnlyList<string> MissingValues, IReadOnlyList<FieldRuleInfo> Fields);

/// <summary>One attribute's rule: whether a value is required; the rule in words (where a value may be missing, JSON and tensors also take null); and the rule of a CSV cell (values or their codes; an empty cell or a missing token).</summary>
public sealed record FieldRuleInfo(string Name, bool Required, string Rule, string CellRule);
