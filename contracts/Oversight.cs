using System.Text.Json.Serialization;

namespace CreditRisk.Contracts;

/// <summary>
/// Human oversight in the monitoring window (issue 30; SR 11-7 watches overrides): how often the model refers and how
/// often people change its decisions, per month and per protected group, what became of the applicants by the decision
/// in force and by who made it, and what the overridden decisions cost against what the model's would have.
/// <see cref="Automated"/>: decisions the model made itself (approve or reject), the base of the override rate;
/// <see cref="Overridden"/>: those whose decision in force is a reviewer's other one.
/// </summary>
public sealed record OversightFigures(
    int Decisions,
    int Referred,
    double ReferRate,
    int Pending,
    int Automated,
    int Overridden,
    double? OverrideRate,
    IReadOnlyList<OversightPeriod> Months,
    IReadOnlyList<OversightGroups> Groups,
    IReadOnlyList<OversightOutcome> Outcomes,
    OverrideCost OverrideCost);

/// <summary>One calendar month (UTC, "yyyy-MM") of the window.</summary>
public sealed record OversightPeriod(string Month, int Decisions, int Referred, double ReferRate, int Automated, int Overridden, double? OverrideRate);

/// <summary>A protected attribute that requests sent, its groups as in the approval figures (a group below the report's
/// minGroupSize is suppressed: its count only).</summary>
public sealed record OversightGroups(string Attribute, IReadOnlyList<OversightGroup> Groups);

public sealed record OversightGroup(
    string Group,
    int Decisions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ReferRate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? OverrideRate,
    bool Suppressed = false);

/// <summary>Decisions by the decision in force (approve, reject, or refer while pending) and who made it (<c>model</c> or
/// <c>reviewer</c>): how many, how many have matured and defaulted.</summary>
public sealed record OversightOutcome(string Decision, string DecidedBy, int Decisions, int Matured, int Defaulted, double? BadRate);

/// <summary>
/// The matured overridden decisions: the realised cost per decision of the reviewers' decisions against the model's
/// on the same applicants. In <see cref="Unit"/>: the currency with loan-level economics (an approve that defaults costs
/// its loss, a reject that would have repaid its margin), else the card's cost weights.
/// </summary>
public sealed record OverrideCost(int Matured, string Unit, double? ReviewersCostPerDecision, double? ModelsCostPerDecision);
