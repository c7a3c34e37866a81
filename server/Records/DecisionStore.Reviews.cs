using System.Data.Common;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Records;

/// <summary>The review queue and the reviews (issue 30): append-only rows beside the decisions, never an edit of either.</summary>
public abstract partial class DecisionStore
{
    /// <summary>
    /// The purge's rule (SQL, on <c>decisions</c> unaliased): a decision may go once it is old enough unless it is under
    /// review, i.e. referred with no review yet. Retention never takes away what a person has still to decide.
    /// </summary>
    private const string Purgeable = "NOT (decision = 'refer' AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.decision_id = decisions.id))";

    /// <summary>
    /// Referred decisions oldest first (by id, a UUIDv7), a page after <paramref name="after"/>: <see cref="ReviewStatus.Pending"/>
    /// those no one has reviewed, <see cref="ReviewStatus.Reviewed"/> those reviewed (with their reviews).
    /// </summary>
    public async Task<ReviewQueuePage> ListReferredAsync(string status, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var reviewed = status == ReviewStatus.Reviewed;
        command.CommandText = $"SELECT {Columns} FROM decisions d LEFT JOIN outcomes o ON o.decision_id = d.id WHERE d.decision = 'refer' AND " +
            (reviewed ? "" : "NOT ") + "EXISTS (SELECT 1 FROM reviews r WHERE r.decision_id = d.id)" +
            (after is null ? "" : " AND d.id > @after") + " ORDER BY d.id LIMIT @limit";
        if (after is { } a)
        {
            Add(command, "after", a.ToString());
        }

        Add(command, "limit", limit + 1);
        var items = new List<DecisionRecord>(Math.Min(limit + 1, 1000));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(Read(reader));
            }
        }

        Guid? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = items[^1].DecisionId;
        }

        for (var i = 0; i < items.Count; i++)
        {
            items[i] = await WithReviewsAsync(connection, items[i], cancellationToken);
        }

        return new ReviewQueuePage(items, next);
    }

    /// <summary>
    /// Records a person's decision on decision <paramref name="decisionId"/>: a new row, in one transaction with the
    /// read of the decision in force (so <see cref="ReviewRecord.Previous"/> is the one it replaced). Null when no such decision.
    /// </summary>
    public async Task<ReviewRecord?> AddReviewAsync(Guid decisionId, string decision, string reviewer, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The store keeps milliseconds: the answer carries the time as it will be read back.
        now = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The decision in force: the latest review's, else the automated one.
        command.CommandText = "SELECT d.decision, r.decision, r.reviewed_at FROM decisions d " +
            "LEFT JOIN reviews r ON r.decision_id = d.id AND r.reviewed_at = (SELECT MAX(x.reviewed_at) FROM reviews x WHERE x.decision_id = d.id) WHERE d.id = @id";
        Add(command, "id", decisionId.ToString());
        string previous;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            previous = reader.IsDBNull(1) ? reader.GetString(0) : reader.GetString(1);
            // A decision's reviews are ordered by their time, which is made strictly increasing here: two reviews in one
            // millisecond would otherwise tie (and a UUIDv7 orders randomly within a millisecond).
            if (!reader.IsDBNull(2) && now.ToUnixTimeMilliseconds() <= reader.GetInt64(2))
            {
                now = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2) + 1);
            }
        }

        var review = new ReviewRecord(Guid.CreateVersion7(now), decisionId, decision, reviewer, reason, now, previous,
            Overrides: previous != Decisions.Refer && previous != decision);
        command.CommandText = "INSERT INTO reviews (id, decision_id, decision, reviewer, reason, reviewed_at) VALUES (@review, @id, @decision, @reviewer, @reason, @now)";
        Add(command, "review", review.ReviewId.ToString());
        Add(command, "decision", decision);
        Add(command, "reviewer", reviewer);
        Add(command, "reason", reason);
        Add(command, "now", now.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return review;
    }

    /// <summary>The record with its reviews, oldest first, and the decision in force.</summary>
    private static async Task<DecisionRecord> WithReviewsAsync(DbConnection connection, DecisionRecord record, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, decision, reviewer, reason, reviewed_at FROM reviews WHERE decision_id = @id ORDER BY reviewed_at";
        Add(command, "id", record.DecisionId.ToString());
        var reviews = new List<ReviewRecord>();
        var previous = record.Decision;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var decision = reader.GetString(1);
            reviews.Add(new ReviewRecord(Guid.Parse(reader.GetString(0)), record.DecisionId, decision, reader.GetString(2), reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), previous, previous != Decisions.Refer && previous != decision));
            previous = decision;
        }

        return record with { Reviews = reviews, FinalDecision = previous };
    }
}
