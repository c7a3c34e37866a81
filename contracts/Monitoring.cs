using System.Text.Json.Serialization;

namespace CreditRisk.Contracts;

/// <summary>
/// GET /api/v1/monitoring: the loaded model in production over a window of recent decisions read from the decision
/// store (issue 17). Aggregates only, never an applicant's row. Figures that need the training baseline are null when
/// the model card has none; figures that need outcomes are null until outcomes have arrived. <see cref="MinOutcomes"/>
/// (Monitoring:MinOutcomes): below this many matured outcomes the outcome figures are noise, not fact, and a reader
/// should say "too few outcomes" instead of showing them. <see cref="MinGroupSize"/> (Monitoring:MinGroupSize): a
/// group of a protected attribute with fewer decisions is suppressed (<see cref="GroupFigure.Suppressed"/>).
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
    int MinGroupSize);

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
/// value, or a number's training decile as "(low, high]").</summary>
public sealed record GroupFigures(string Attribute, int Decisions, IReadOnlyList<GroupFigure> Groups);

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
