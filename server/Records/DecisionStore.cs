using System.Data.Common;
using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Records;

/// <summary>
/// The decision records and their outcomes, on SQLite or PostgreSQL. The SQL is written once for both (times as Unix
/// milliseconds, ids as UUIDv7 text, JSON as text); a provider supplies connections, its migrations and its bulk insert.
/// </summary>
public abstract partial class DecisionStore : IDisposable
{
    private const string Columns = "d.id, d.application_id, d.decided_at, d.model_version, d.threshold, d.probability_of_default, d.decision, d.reasons, d.applicant, o.defaulted, o.observed_at, o.recorded_at, " +
        "d.money_basis, d.currency, d.expected_profit, d.loss, d.margin, o.interest_received, o.loss_amount, d.refer_reasons, d.model";

    public abstract string Provider { get; }

    /// <summary>Applies the numbered scripts not applied yet (DbUp journal); safe to run on every start and from many instances.</summary>
    public abstract void Migrate();

    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A connection for the challenger's rows: derived data, not the system of record, so a provider may
    /// trade durability for a shorter hold of the write lock the champion's writer needs.</summary>
    protected virtual ValueTask<DbConnection> OpenForShadowAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    public abstract void Dispose();

    /// <summary>All records in one transaction: committed together or not at all. Called by the one writer only; each
    /// provider writes them its fastest way.</summary>
    public abstract Task InsertAsync(IReadOnlyList<StoredDecision> records, CancellationToken cancellationToken);

    /// <summary>
    /// Whether <paramref name="e"/> is the store refusing a record's data (a constraint, a value its types cannot hold)
    /// rather than the store failing (down, disk full, timeout): then the other records of a group commit can still go in.
    /// </summary>
    public abstract bool IsRefusal(Exception e);

    /// <summary>A write that stores nothing of value (one row rewritten): readiness asks it while commits fail, because a
    /// store that still answers reads may be unable to write (a full disk).</summary>
    public virtual async Task ProbeWriteAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO store_probe (id, probed_at) VALUES (1, @now) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at";
        Add(command, "now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<DecisionRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM decisions d LEFT JOIN outcomes o ON o.decision_id = d.id WHERE d.id = @id";
        Add(command, "id", id.ToString());
        DecisionRecord record;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            record = Read(reader);
        }

        record = await WithReviewsAsync(connection, record, cancellationToken);
        if (record.Outcome is null)
        {
            return record;
        }

        await using var history = connection.CreateCommand();
        history.CommandText = "SELECT defaulted, observed_at, recorded_at, interest_received, loss_amount FROM outcome_history WHERE decision_id = @id ORDER BY recorded_at, observed_at";
        Add(history, "id", id.ToString());
        var outcomes = new List<RecordedOutcome>();
        await using (var reader = await history.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                outcomes.Add(new RecordedOutcome(reader.GetBoolean(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    NullableDouble(reader, 3), NullableDouble(reader, 4)));
            }
        }

        return record with { OutcomeHistory = outcomes };
    }

    /// <summary>Keyset pagination by id (UUIDv7, so roughly by time): the page after <paramref name="after"/>.</summary>
    public async Task<DecisionPage> ListAsync(string? applicationId, DateTimeOffset? from, DateTimeOffset? to, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        if (applicationId is not null)
        {
            where.Add("d.application_id = @app");
            Add(command, "app", applicationId);
        }

        if (from is { } f)
        {
            where.Add("d.decided_at >= @from");
            Add(command, "from", f.ToUnixTimeMilliseconds());
        }

        if (to is { } t)
        {
            where.Add("d.decided_at < @to");
            Add(command, "to", t.ToUnixTimeMilliseconds());
        }

        if (after is { } a)
        {
            where.Add("d.id > @after");
            Add(command, "after", a.ToString());
        }

        // One row more than asked says whether there is a next page.
        Add(command, "limit", limit + 1);
        command.CommandText = $"SELECT {Columns} FROM decisions d LEFT JOIN outcomes o ON o.decision_id = d.id" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY d.id LIMIT @limit";
        var items = new List<DecisionRecord>(Math.Min(limit + 1, 1000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(Read(reader));
        }

        if (items.Count <= limit)
        {
            return new DecisionPage(items, null);
        }

        items.RemoveAt(limit);
        return new DecisionPage(items, items[^1].DecisionId);
    }

    /// <summary>The latest decision for a client's application id, or null.</summary>
    public async Task<Guid?> FindLatestAsync(string applicationId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM decisions WHERE application_id = @app ORDER BY id DESC LIMIT 1";
        Add(command, "app", applicationId);
        return await command.ExecuteScalarAsync(cancellationToken) is string id ? Guid.Parse(id) : null;
    }

    /// <summary>
    /// Stores an outcome of a decision. The same outcome as the latest changes nothing; a different one (a correction)
    /// is a new row of the decision's history and becomes the latest, which monitoring reads. An outcome observed before
    /// its decision was made is refused. The amounts (interest received, loss written off; null = not given) are part of
    /// the outcome: the same flag and time with other amounts is a correction.
    /// </summary>
    public async Task<OutcomeWrite> SetOutcomeAsync(
        Guid decisionId, bool defaulted, double? interestReceived, double? lossAmount, DateTimeOffset observedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT d.decided_at, o.defaulted, o.observed_at, o.interest_received, o.loss_amount FROM decisions d LEFT JOIN outcomes o ON o.decision_id = d.id WHERE d.id = @id";
        Add(command, "id", decisionId.ToString());
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return OutcomeWrite.UnknownDecision;
            }

            if (observedAt.ToUnixTimeMilliseconds() < reader.GetInt64(0))
            {
                return OutcomeWrite.BeforeDecision;
            }

            if (!reader.IsDBNull(1) && reader.GetBoolean(1) == defaulted && reader.GetInt64(2) == observedAt.ToUnixTimeMilliseconds()
                && NullableDouble(reader, 3) == interestReceived && NullableDouble(reader, 4) == lossAmount)
            {
                return OutcomeWrite.Unchanged;
            }
        }

        Add(command, "defaulted", defaulted);
        Add(command, "observed", observedAt.ToUnixTimeMilliseconds());
        Add(command, "now", now.ToUnixTimeMilliseconds());
        AddAmount(command, "interest", interestReceived);
        AddAmount(command, "lossAmount", lossAmount);
        command.CommandText =
            "INSERT INTO outcome_history (decision_id, defaulted, observed_at, recorded_at, interest_received, loss_amount) VALUES (@id, @defaulted, @observed, @now, @interest, @lossAmount)";
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText =
            "INSERT INTO outcomes (decision_id, defaulted, observed_at, recorded_at, interest_received, loss_amount) VALUES (@id, @defaulted, @observed, @now, @interest, @lossAmount) " +
            "ON CONFLICT (decision_id) DO UPDATE SET defaulted = excluded.defaulted, observed_at = excluded.observed_at, recorded_at = excluded.recorded_at, " +
            "interest_received = excluded.interest_received, loss_amount = excluded.loss_amount";
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return OutcomeWrite.Recorded;
    }

    /// <summary>The challenger's scores of committed decisions, in one transaction (the shadow worker, off the hot path).</summary>
    public async Task InsertChallengerAsync(IReadOnlyList<ChallengerDecision> rows, CancellationToken cancellationToken)
    {
        await using var connection = await OpenForShadowAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // One statement re-run per row, like SetOutcomeAsync: the same SQL on both providers. A decision purged
        // meanwhile has no row to sit beside and is skipped; a row already there (a retry) is kept.
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "INSERT INTO challenger_decisions (decision_id, model_version, threshold, probability_of_default, decision) " +
            "SELECT @id, @version, @threshold, @pd, @decision WHERE EXISTS (SELECT 1 FROM decisions WHERE id = @id) " +
            "ON CONFLICT (decision_id) DO NOTHING";
        foreach (var r in rows)
        {
            command.Parameters.Clear();
            Add(command, "id", r.DecisionId.ToString());
            Add(command, "version", r.ModelVersion);
            Add(command, "threshold", r.Threshold);
            Add(command, "pd", r.ProbabilityOfDefault);
            Add(command, "decision", r.Decision);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The latest <paramref name="window"/> decisions of this champion that this challenger also scored, newest first,
    /// with their outcomes when they have matured.
    /// </summary>
    public async Task<List<PairedDecision>> ReadPairsAsync(string championVersion, string challengerVersion, int window, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT d.probability_of_default, d.decision, c.probability_of_default, c.decision, o.defaulted " +
            "FROM challenger_decisions c JOIN decisions d ON d.id = c.decision_id LEFT JOIN outcomes o ON o.decision_id = c.decision_id " +
            "WHERE c.model_version = @challenger AND d.model_version = @champion ORDER BY c.decision_id DESC LIMIT @window";
        Add(command, "challenger", challengerVersion);
        Add(command, "champion", championVersion);
        Add(command, "window", window);
        var pairs = new List<PairedDecision>(Math.Min(window, 10_000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            pairs.Add(new PairedDecision(
                reader.GetDouble(0),
                reader.GetString(1) == Decisions.Reject,
                reader.GetDouble(2),
                reader.GetString(3) == Decisions.Reject,
                reader.IsDBNull(4) ? null : reader.GetBoolean(4)));
        }

        return pairs;
    }

    /// <summary>
    /// Deletes the decisions made before <paramref name="cutoff"/>, their outcomes and reviews; returns how many decisions.
    /// A referred decision no one has reviewed yet is kept however old it is (<see cref="Purgeable"/>).
    /// </summary>
    public async Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var outcomes = connection.CreateCommand();
        outcomes.Transaction = transaction;
        outcomes.CommandText = "DELETE FROM outcomes WHERE decision_id IN (SELECT id FROM decisions WHERE decided_at < @cutoff AND " + Purgeable + ")";
        Add(outcomes, "cutoff", cutoff.ToUnixTimeMilliseconds());
        await outcomes.ExecuteNonQueryAsync(cancellationToken);
        await using var history = connection.CreateCommand();
        history.Transaction = transaction;
        history.CommandText = "DELETE FROM outcome_history WHERE decision_id IN (SELECT id FROM decisions WHERE decided_at < @cutoff AND " + Purgeable + ")";
        Add(history, "cutoff", cutoff.ToUnixTimeMilliseconds());
        await history.ExecuteNonQueryAsync(cancellationToken);
        await using var challenger = connection.CreateCommand();
        challenger.Transaction = transaction;
        challenger.CommandText = "DELETE FROM challenger_decisions WHERE decision_id IN (SELECT id FROM decisions WHERE decided_at < @cutoff AND " + Purgeable + ")";
        Add(challenger, "cutoff", cutoff.ToUnixTimeMilliseconds());
        await challenger.ExecuteNonQueryAsync(cancellationToken);
        await using var decisions = connection.CreateCommand();
        decisions.Transaction = transaction;
        decisions.CommandText = "DELETE FROM decisions WHERE decided_at < @cutoff AND " + Purgeable;
        Add(decisions, "cutoff", cutoff.ToUnixTimeMilliseconds());
        var deleted = await decisions.ExecuteNonQueryAsync(cancellationToken);

        // Reviews last: Purgeable reads them. (PostgreSQL's cascade has already removed them; SQLite enforces no foreign keys.)
        await using var reviews = connection.CreateCommand();
        reviews.Transaction = transaction;
        reviews.CommandText = "DELETE FROM reviews WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.id = reviews.decision_id)";
        await reviews.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>
    /// The monitoring window: <paramref name="modelVersion"/>'s latest <paramref name="limit"/> decisions made at or
    /// after <paramref name="since"/> (null = any time), newest first, with their outcomes. Read from the store, not
    /// from this instance's memory, so every instance sharing one database computes the same figures.
    /// </summary>
    public async Task<IReadOnlyList<WindowDecision>> ReadWindowAsync(string modelVersion, int limit, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT d.decided_at, d.probability_of_default, d.decision, d.applicant, o.defaulted, d.money_basis, d.expected_profit, d.loss, d.margin, o.interest_received, o.loss_amount, " +
            "r.decision, r.reviewer FROM decisions d LEFT JOIN outcomes o ON o.decision_id = d.id " +
            "LEFT JOIN reviews r ON r.decision_id = d.id AND r.reviewed_at = (SELECT MAX(x.reviewed_at) FROM reviews x WHERE x.decision_id = d.id) " +
            "WHERE d.model_version = @version" +
            (since is null ? "" : " AND d.decided_at >= @since") + " ORDER BY d.id DESC LIMIT @limit";
        Add(command, "version", modelVersion);
        if (since is { } s)
        {
            Add(command, "since", s.ToUnixTimeMilliseconds());
        }

        Add(command, "limit", limit);
        var window = new List<WindowDecision>(Math.Min(limit, 10_000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            window.Add(new WindowDecision(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                reader.GetDouble(1),
                reader.GetString(2) == Decisions.Reject,
                JsonElement.Parse(reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetBoolean(4),
                reader.IsDBNull(5) ? null : new DecisionMoney(reader.GetString(5), null, NullableDouble(reader, 6), NullableDouble(reader, 7), NullableDouble(reader, 8)),
                NullableDouble(reader, 9),
                NullableDouble(reader, 10),
                reader.GetString(2),
                reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.IsDBNull(12) ? null : reader.GetString(12)));
        }

        return window;
    }

    /// <summary>Whether the store answers a trivial query (readiness).</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }

    private static DecisionRecord Read(DbDataReader reader) => new(
        Guid.Parse(reader.GetString(0)),
        reader.IsDBNull(1) ? null : reader.GetString(1),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
        reader.GetString(3),
        reader.GetDouble(4),
        reader.GetDouble(5),
        reader.GetString(6),
        JsonSerializer.Deserialize(reader.GetString(7), RecordsJson.Default.ReasonArray) ?? [],
        JsonElement.Parse(reader.GetString(8)),
        reader.IsDBNull(9)
            ? null
            : new RecordedOutcome(reader.GetBoolean(9), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
                NullableDouble(reader, 17), NullableDouble(reader, 18)),
        Money: reader.IsDBNull(12)
            ? null // recorded before migration 0005
            : new DecisionMoney(reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetString(13), NullableDouble(reader, 14), NullableDouble(reader, 15), NullableDouble(reader, 16)),
        ReferReasons: reader.IsDBNull(19) ? null : JsonSerializer.Deserialize(reader.GetString(19), RecordsJson.Default.StringArray),
        Model: reader.IsDBNull(20) ? null : reader.GetString(20)); // null: recorded before migration 0008

    private static double? NullableDouble(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    /// <summary>An amount that may be null, typed as a number: PostgreSQL refuses a text-typed null in a double column.</summary>
    private static void AddAmount(DbCommand command, string name, double? value)
    {
        Add(command, name, value);
        command.Parameters[name].DbType = System.Data.DbType.Double;
    }

    protected static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (value is null)
        {
            // PostgreSQL must know a null's type.
            parameter.DbType = System.Data.DbType.String;
        }

        command.Parameters.Add(parameter);
    }
}
