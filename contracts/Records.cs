using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditRisk.Contracts;

/// <summary>The client's application id, sent with a decision and with its outcome: one limit for both.</summary>
public static class ApplicationIds
{
    /// <summary>The longest <c>applicationId</c> accepted.</summary>
    public const int MaxLength = 128;
}

/// <summary>The amounts an outcome may carry (interestReceived, lossAmount): one limit for the server's check and the contract.</summary>
public static class OutcomeAmounts
{
    /// <summary>The largest amount accepted: far above any one loan's, low enough that a window's sum stays exact to the cent.</summary>
    public const double Max = 1_000_000_000;
}

/// <summary>
/// One decision as the store holds it (GET /api/v1/decisions/{id}): what was decided, by which model, on which inputs
/// and for which reasons, and the outcome once it is known. <c>Applicant</c> holds every validated field the request
/// sent, protected attributes and ids included. <c>Outcome</c> is the latest outcome recorded (what monitoring uses);
/// <c>OutcomeHistory</c>, in GET /api/v1/decisions/{id} only, is every outcome posted, oldest first, corrections included.
/// <c>Money</c> is the money the model file computed for the decision, as the response carried it (basis, currency,
/// expected profit, loss, margin; docs/economics.md); absent on decisions recorded before the store kept it (migration 0005).
/// <c>ReferReasons</c>: why a <c>refer</c> was referred. In GET /api/v1/decisions/{id} (and the review endpoints) only:
/// <c>Reviews</c>, every review and override, oldest first (the decision itself is never changed), and <c>FinalDecision</c>,
/// the decision in force: the latest review's, else the automated one.
/// <c>Model</c> is the name of the model that decided (docs/model-lifecycle.md); absent on decisions recorded before
/// migration 0008.
/// </summary>
public sealed record DecisionRecord(
    Guid DecisionId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ApplicationId,
    DateTimeOffset DecidedAt,
    string ModelVersion,
    double Threshold,
    double ProbabilityOfDefault,
    string Decision,
    IReadOnlyList<Reason> Reasons,
    JsonElement Applicant,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RecordedOutcome? Outcome = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RecordedOutcome>? OutcomeHistory = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DecisionMoney? Money = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? ReferReasons = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ReviewRecord>? Reviews = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FinalDecision = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Model = null);

/// <summary>What became of an approved (or rejected) applicant, as fed back by POST /api/v1/outcomes, with the amounts
/// the outcome carried (absent when it carried none; see <see cref="OutcomeRequest"/>).</summary>
public sealed record RecordedOutcome(
    bool Defaulted,
    DateTimeOffset ObservedAt,
    DateTimeOffset RecordedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? InterestReceived = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? LossAmount = null);

/// <summary>A page of GET /api/v1/decisions, oldest id first; <c>Next</c> is the <c>after</c> of the next page (null on the last).</summary>
public sealed record DecisionPage(
    IReadOnlyList<DecisionRecord> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? Next);

/// <summary>
/// One outcome in POST /api/v1/outcomes: exactly one of <c>DecisionId</c> or <c>ApplicationId</c> (its latest decision).
/// Optionally the amounts the lender booked, in the model's currency: <c>InterestReceived</c>, the interest actually
/// received net of funding cost and fees, and <c>LossAmount</c>, the loss actually written off net of recoveries (a
/// defaulted loan only). When an outcome carries either, monitoring's realised profit of an approved loan is
/// interestReceived − lossAmount (a missing one 0); without them it is the margin or loss recorded with the decision.
/// </summary>
public sealed record OutcomeRequest(
    Guid? DecisionId,
    string? ApplicationId,
    bool Defaulted,
    DateTimeOffset ObservedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? InterestReceived = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? LossAmount = null);

/// <summary>The body of a batch POST /api/v1/outcomes.</summary>
public sealed record OutcomeBatchRequest(IReadOnlyList<OutcomeRequest> Outcomes);

/// <summary>
/// One outcome's fate: <c>Status</c> 200 with the decision it joined, 400 with <c>Detail</c> when it was observed before
/// that decision, or 404 with <c>Detail</c> naming the unknown id.
/// Posting the same outcome again gives the same answer and changes nothing.
/// </summary>
public sealed record OutcomeResult(
    int Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? DecisionId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null);

public sealed record OutcomeBatchResponse(IReadOnlyList<OutcomeResult> Results);
