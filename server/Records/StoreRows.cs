using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Records;

/// <summary>What <see cref="DecisionStore.SetOutcomeAsync"/> did with an outcome.</summary>
public enum OutcomeWrite
{
    Recorded,
    Unchanged,
    UnknownDecision,
    BeforeDecision,
}

/// <summary>The challenger's score of a recorded decision: its version, threshold, PD and the decision it would have served.</summary>
public sealed record ChallengerDecision(Guid DecisionId, string ModelVersion, double Threshold, double ProbabilityOfDefault, string Decision);

/// <summary>A decision of the monitoring window: when, the PD and decision as served, the applicant's fields, the
/// outcome (null until it has matured), and the money recorded with it (null before migration 0005; no currency here,
/// the card's is the window's).
/// <see cref="InterestReceived"/> and <see cref="LossAmount"/>: the amounts the outcome carried (null when it carried none).</summary>
/// <see cref="Decision"/>: the automated decision as recorded (approve, reject or refer); <see cref="Reviewed"/> and
/// <see cref="Reviewer"/>: the latest review's decision and reviewer (null when no one reviewed it).
public sealed record WindowDecision(
    DateTimeOffset DecidedAt, double Pd, bool Rejected, JsonElement Applicant, bool? Defaulted, DecisionMoney? Money = null,
    double? InterestReceived = null, double? LossAmount = null, string? Decision = null, string? Reviewed = null, string? Reviewer = null);

/// <summary>A decision on its way to the store: the response's values, with the reasons and the applicant as JSON text,
/// and the money the model file computed (null when recording a result that has none).</summary>
public sealed record StoredDecision(
    Guid Id,
    string? ApplicationId,
    DateTimeOffset DecidedAt,
    string ModelVersion,
    double Threshold,
    double ProbabilityOfDefault,
    string Decision,
    string ReasonsJson,
    string ApplicantJson,
    DecisionMoney? Money = null,
    string? ReferReasonsJson = null,
    string? Model = null);
