using System.Text.Json.Serialization;

namespace CreditRisk.Contracts;

/// <summary>
/// POST /api/v1/decisions/{id}/review: a person's decision on a recorded one, <c>approve</c> or <c>reject</c>, and why
/// (a referred application's review, or an override of an automated decision or of an earlier review). The reviewer is
/// not in the body: it is the name of the reviewer key the request was sent with.
/// </summary>
public sealed record ReviewRequest(string? Decision, string? Reason)
{
    /// <summary>The longest reason accepted.</summary>
    public const int MaxReasonLength = 2000;
}

/// <summary>
/// One review as recorded, append-only (issue 30): who decided what, when and why. <c>Previous</c> is the decision in
/// force before it (the automated one, <c>refer</c> for a referred application, or an earlier review's);
/// <c>Overrides</c> is true when this review changed an approve or reject in force (a referred application's first
/// review decides it and overrides nothing).
/// </summary>
public sealed record ReviewRecord(
    Guid ReviewId,
    Guid DecisionId,
    string Decision,
    string Reviewer,
    string Reason,
    DateTimeOffset ReviewedAt,
    string Previous,
    bool Overrides);

/// <summary>A page of GET /api/v1/reviews: referred decisions oldest first; <c>Next</c> is the <c>after</c> of the next page (null on the last).</summary>
public sealed record ReviewQueuePage(
    IReadOnlyList<DecisionRecord> Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? Next);

/// <summary>The review queue's filter: <c>pending</c> (referred, no review yet) or <c>reviewed</c> (referred, decided by a person).</summary>
public static class ReviewStatus
{
    public const string Pending = "pending";
    public const string Reviewed = "reviewed";
}
