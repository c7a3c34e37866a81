using System.Text.Json.Serialization;

namespace CreditRisk.Contracts;

/// <summary>
/// GET /api/v1/monitoring: the loaded model in production over a window of recent decisions read from the decision
/// store (issue 17). Aggregates only, never an applicant's row. Figures that need the training baseline are null when
/// the model card has none; figures that need outcomes are null until outcomes have arrived. <see cref="MinOutcomes"/>
/// (Monitoring:MinOutcomes): below this many matured outcomes the outcome figures are noise, not fact, and a reader
/// should say "too few outcomes" instead of showing them. <see cref="MinGroupSize"/> (Monitoring:MinGroupSize): a
/// group of a protected attribute with fewer decisions is suppressed (<see cref="GroupFigure.Suppressed"/>).
/// <see cref="Money"/> is there for a model that decides on loan-level economics only (issue 28; absent with constant costs).
/// <see cref="Oversight"/>: refers, reviews and overrides (issue 30), absent until the window holds a referred or reviewed decision.
/// The other figures are the model's own decisions (a refer counts as not rejected in the approval rate).
/// </summary>
public sealed record MonitoringReport(
    string ModelVersion,
    DateTimeOffset ComputedAt,
    MonitoringWindow Window,
    bool HasBaseline,
    double? ApprovalRate,
    double? TrainingApprovalRate,
    double? MeanPd,
    double? TrainingMeanPd,
    IReadOnlyList<StabilityFigure> Features,
    StabilityFigure? Pd,
    OutcomeFigures Outcomes,
    IReadOnlyList<GroupFigures> Groups,
    int MinOutcomes,
    int MinGroupSize,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MoneyFigures? Money = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OversightFigures? Oversight = null)
{
    /// <summary>
    /// The served model the report is of (its name, as in /api/v1/models/{name}). Every figure is of the version it
    /// serves now, <see cref="ModelVersion"/>: the window holds that version's decisions only, and the drift baseline is
    /// that version's own card. After a swap or a promotion the report moves to the new version; the decisions of an
    /// earlier version keep its version in their records and are not in the window.
    /// </summary>
    public string Model { get; init; } = "";
}

/// <summary>
/// Which decisions the figures describe: this model version's most recent <see cref="MaxDecisions"/> decisions made in
/// the last <see cref="Days"/> days (0 = no limit in time); <see cref="From"/> and <see cref="To"/> are the oldest and newest
/// decision times in it (null when it is empty).
/// </summary>
public sealed record MonitoringWindow(int Decisions, int MaxDecisions, int Days, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>One attribute's (or the PD's) population stability: PSI and band, with the training and live shares over
/// the same bins (<see cref="Distribution"/>).</summary>
public sealed record StabilityFigure(string Name, double Psi, PsiBand Band, Distribution Training, Distribution Live);

/// <summary>
/// What the matured decisions of the window show. <see cref="RealisedCostPerApplicant"/> and <see cref="Auc"/> are null
/// without matured outcomes (AUC also without both classes); <see cref="CostAboveNestedCv"/> says whether the realised
/// cost is above the nested-CV 95 % upper bound.
/// </summary>
public sealed record OutcomeFigures(
    int Matured,
    int Defaulted,
    double? RealisedCostPerApplicant,
    CrossValidatedCost NestedCv,
    bool? CostAboveNestedCv,
    double? Auc,
    IReadOnlyList<BandCalibration> Bands,
    IReadOnlyList<CostBucket> CostOverTime);

/// <summary>
/// One PD band, (<see cref="Low"/>, <see cref="High"/>] (null = open end; the training PD deciles): the matured
/// decisions in it, how many defaulted, the realised bad rate against the predicted one (their mean PD), and the bad
/// rate of the training rows in the band (out of fold; null without a baseline).
/// </summary>
public sealed record BandCalibration(double? Low, double? High, int Matured, int Defaulted, double? RealisedBadRate, double? MeanPd, double? TrainingBadRate);

/// <summary>Realised cost of consecutive matured decisions (in decision order), from <see cref="From"/> to <see cref="To"/>.</summary>
public sealed record CostBucket(DateTimeOffset From, DateTimeOffset To, int Matured, double CostPerApplicant);

/// <summary>A protected attribute that requests sent: approval rate and adverse-impact ratio per group (a category's
/// value; a number's group of the training report, "≤ 27", "27–33", "> 42", when the report's cut points are beside the
/// model, else its training bin as "(low, high]"). <see cref="GroupedBy"/> says which.</summary>
public sealed record GroupFigures(string Attribute, int Decisions, IReadOnlyList<GroupFigure> Groups, string GroupedBy);

/// <summary>One group: its decisions, approvals, approval rate and adverse-impact ratio (the rate over the best
/// unsuppressed group's). A group with fewer decisions than the report's <c>minGroupSize</c> is
/// <see cref="Suppressed"/>: only its count is given, its approvals, rate and ratio are null.</summary>
public sealed record GroupFigure(
    string Group,
    int Decisions,
    int? Approved,
    double? ApprovalRate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? AdverseImpactRatio,
    bool Suppressed = false);

/// <summary>
/// What the matured decisions of a loan-basis model made, in <see cref="Currency"/> (docs/monitoring.md, "Money"). Each
/// matured decision that recorded its amounts counts: an approved loan that repaid earns its margin, one that defaulted
/// loses its loss, a rejected one earns 0 (the nested-CV convention). <see cref="RealisedProfitPerLoan"/> is their mean,
/// with a normal 95 % interval over loans, against what the model expected of the same decisions
/// (<see cref="ExpectedProfitPerLoan"/>: an approval's expected profit, 0 for a reject) and against the nested-CV
/// estimate per loan (<see cref="NestedCv"/>, null when the model's nested-cv.json is not beside it).
/// <see cref="ProfitBelowNestedCv"/>: the realised interval lies wholly below the nested-CV one. The rejects'
/// counterfactual: <see cref="ForgoneMargin"/>, the margin of rejected applicants who repaid, and
/// <see cref="AvoidedLoss"/>, the loss of rejected applicants who defaulted (rejects rarely mature: read the counts).
/// <see cref="WithoutAmounts"/>: matured decisions left out, recorded without amounts (a fallback, or before the store kept them).
/// <see cref="WithRealisedAmounts"/>: counted approvals whose outcome carried the amounts the lender booked; each of
/// these earns interestReceived − lossAmount (a missing one 0) instead of its recorded margin or loss.
/// </summary>
public sealed record MoneyFigures(
    string Currency,
    int Matured,
    int WithoutAmounts,
    int WithRealisedAmounts,
    int ApprovedRepaid,
    int ApprovedDefaulted,
    int RejectedRepaid,
    int RejectedDefaulted,
    double? RealisedProfit,
    double? RealisedProfitPerLoan,
    double? Ci95Low,
    double? Ci95High,
    double? ExpectedProfitPerLoan,
    double ForgoneMargin,
    double AvoidedLoss,
    MoneyInterval? NestedCv,
    bool? ProfitBelowNestedCv,
    IReadOnlyList<MoneyPeriod> ByMonth,
    IReadOnlyList<MoneyBand> Bands);

/// <summary>The nested-CV estimate of the money per applicant (each applicant's money averaged over the outer repeats) and its 95 % interval.</summary>
public sealed record MoneyInterval(double Mean, double Ci95Low, double Ci95High);

/// <summary>The matured decisions made in one calendar month (UTC, <c>yyyy-MM</c>; the loans' vintage): realised and expected profit per loan.</summary>
public sealed record MoneyPeriod(string Month, int Matured, int Defaulted, double RealisedProfitPerLoan, double ExpectedProfitPerLoan);

/// <summary>The matured decisions with a PD in (<see cref="Low"/>, <see cref="High"/>] (the calibration bands): realised and expected profit per loan (null when none).</summary>
public sealed record MoneyBand(double? Low, double? High, int Matured, int Defaulted, double? RealisedProfitPerLoan, double? ExpectedProfitPerLoan);
