using System.Data.Common;
using DbUp;
using Microsoft.Data.Sqlite;

namespace CreditRisk.Server.Records;

/// <summary>
/// The embedded default: one SQLite file (decisions.db) in the data folder, in WAL mode so readers never block the
/// writer, and synchronous=FULL so a commit has reached the disk before its response is sent (power loss included).
/// </summary>
public sealed class SqliteDecisionStore : DecisionStore
{
    private readonly string _connectionString;

    public SqliteDecisionStore(string folder)
    {
        Folder = folder;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, "decisions.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Seconds a command waits for a lock (the purge, a second process) before failing.
            DefaultTimeout = 5,
        }.ToString();
    }

    public string Folder { get; }

    public override string Provider => "sqlite";

    public override void Migrate()
    {
        Directory.CreateDirectory(Folder);
        using (var connection = new SqliteConnection(_connectionString))
        {
            connection.Open();
            using var wal = connection.CreateCommand();
            // WAL mode is stored in the file itself: set once, it stays.
            wal.CommandText = "PRAGMA journal_mode=WAL";
            wal.ExecuteNonQuery();
        }

        var result = DeployChanges.To.SqliteDatabase(_connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DecisionStore).Assembly, name => name.Contains(".Records.Migrations.Sqlite.", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
        {
            throw new RecordsStoreException($"SQLite store {Path.Combine(Folder, "decisions.db")}: migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        }
    }

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // Per connection, not stored in the file.
        pragma.CommandText = "PRAGMA synchronous=FULL";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override void Dispose() => SqliteConnection.ClearAllPools();
}
