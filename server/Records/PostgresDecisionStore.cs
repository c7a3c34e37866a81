using System.Data.Common;
using DbUp;
using Npgsql;

namespace CreditRisk.Server.Records;

/// <summary>
/// The store for many instances (Elastic Beanstalk scales to 6, all on one RDS database): Npgsql with its own pool.
/// Migrations run under an advisory lock, so instances starting together apply each script once.
/// </summary>
public sealed class PostgresDecisionStore(string connectionString) : DecisionStore
{
    // Any fixed number; it names this schema's migration lock among the database's advisory locks.
    private const long MigrationLock = 1_600_016;

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string Provider => "postgresql";

    public override void Migrate()
    {
        var where = DescribeTarget(connectionString);
        try
        {
            using var connection = _dataSource.OpenConnection();
            using (var command = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLock})", connection))
            {
                command.ExecuteNonQuery();
            }

            var result = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(DecisionStore).Assembly, name => name.Contains(".Records.Migrations.Postgres.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build()
                .PerformUpgrade();
            using (var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLock})", connection))
            {
                command.ExecuteNonQuery();
            }

            if (!result.Successful)
            {
                throw new RecordsStoreException($"PostgreSQL store {where}: migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new RecordsStoreException($"PostgreSQL store {where}: {e.Message}", e);
        }
    }

    /// <summary>Binary COPY inside the transaction: one round trip streams the whole group commit, however many rows.</summary>
    public override async Task InsertAsync(IReadOnlyList<StoredDecision> records, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY decisions (id, application_id, decided_at, model_version, threshold, probability_of_default, decision, reasons, applicant, money_basis, currency, expected_profit, loss, margin, refer_reasons, model) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var r in records)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(r.Id.ToString(), NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
                if (r.ApplicationId is null)
                {
                    await copy.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await copy.WriteAsync(r.ApplicationId, NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
                }

                await copy.WriteAsync(r.DecidedAt.ToUnixTimeMilliseconds(), NpgsqlTypes.NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(r.ModelVersion, NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.Threshold, NpgsqlTypes.NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(r.ProbabilityOfDefault, NpgsqlTypes.NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(r.Decision, NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.ReasonsJson, NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(r.ApplicantJson, NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(copy, r.Money?.Basis, cancellationToken);
                await WriteAsync(copy, r.Money?.Currency, cancellationToken);
                await WriteAsync(copy, r.Money?.ExpectedProfit, cancellationToken);
                await WriteAsync(copy, r.Money?.Loss, cancellationToken);
                await WriteAsync(copy, r.Money?.Margin, cancellationToken);
                await WriteAsync(copy, r.ReferReasonsJson, cancellationToken);
                await WriteAsync(copy, r.Model, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static Task WriteAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlTypes.NpgsqlDbType.Text, cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter copy, double? value, CancellationToken cancellationToken) =>
        value is { } v ? copy.WriteAsync(v, NpgsqlTypes.NpgsqlDbType.Double, cancellationToken) : copy.WriteNullAsync(cancellationToken);

    /// <summary>Class 22 (data exception: a NUL in text, a value out of range) and 23 (integrity constraint): the
    /// record's data. Anything else (connection refused, disk full, timeout) is the store's.</summary>
    public override bool IsRefusal(Exception e) => e is PostgresException { SqlState: ['2', '2' or '3', ..] };

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    public override void Dispose() => _dataSource.Dispose();

    /// <summary>Host, port and database for messages: never the password.</summary>
    private static string DescribeTarget(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}/{b.Database}";
    }
}
