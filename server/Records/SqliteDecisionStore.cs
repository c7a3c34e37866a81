using System.Data.Common;
using DbUp;
using Microsoft.Data.Sqlite;

namespace CreditRisk.Server.Records;

/// <summary>
/// The embedded default: one SQLite file (decisions.db) in the data folder, in WAL mode so readers never block the
/// writer. With synchronous=FULL (the default) a commit has reached the disk before its response is sent, power loss
/// included; NORMAL survives a crash of the process (kill -9) but may lose the last commits on power loss.
/// </summary>
public sealed class SqliteDecisionStore : DecisionStore
{
    private readonly string _connectionString;
    private readonly string _synchronous;

    // The writer's own connection and prepared insert, kept open: a group commit is then one BEGIN, one compiled
    // statement re-run per row (SQLite is in-process, so a row costs microseconds) and one COMMIT.
    private SqliteConnection? _writer;
    private SqliteCommand? _insert;

    /// <summary>Written beside decisions.db when the store is created: this folder has held a store, so a missing file
    /// is a loss to report, not a first start.</summary>
    public const string MarkerFile = "decisions.db.created";

    // The WAL's bounds. SQLite checkpoints the WAL into decisions.db once it holds this many pages (4 KiB each; its
    // default is 1000), and truncates it to JournalSizeLimitBytes when it starts over, so the WAL stays near 1 MiB
    // instead of keeping whatever size a burst or a failing checkpoint gave it: on a full disk that space came back
    // only with a restart.
    private const int WalAutocheckpointPages = 256;
    private const long JournalSizeLimitBytes = 1 << 20;

    private readonly bool _createIfMissing;

    public SqliteDecisionStore(string folder, SqliteSynchronous synchronous = SqliteSynchronous.Full, bool createIfMissing = false)
    {
        Folder = folder;
        _createIfMissing = createIfMissing;
        _synchronous = synchronous == SqliteSynchronous.Normal ? "NORMAL" : "FULL";
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
        var database = Path.Combine(Folder, "decisions.db");
        var marker = Path.Combine(Folder, MarkerFile);
        if (!File.Exists(database) && File.Exists(marker) && !_createIfMissing)
        {
            // Every decision acknowledged so far is in the missing file: an empty new store would answer 404 for all of them.
            throw new RecordsStoreException($"SQLite store {database} is missing, but this folder has held one ({MarkerFile} is there); restore the file, or set Records:CreateIfMissing=true to start an empty store.");
        }

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
            throw new RecordsStoreException($"SQLite store {database}: migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        }

        if (!File.Exists(marker))
        {
            File.WriteAllText(marker, $"decisions.db created here by CreditRisk at {DateTimeOffset.UtcNow:O}; while this file exists, a missing decisions.db stops the server at start (Records:CreateIfMissing).\n");
        }
    }

    /// <summary>Constraint, too big, type mismatch: the record's data. Disk full, I/O error, busy, read-only: the store's.</summary>
    public override bool IsRefusal(Exception e) => e is SqliteException { SqliteErrorCode: 18 or 19 or 20 or 25 };

    /// <summary>A checkpoint that truncates the WAL first: after a full disk, it gives back the WAL's space once
    /// decisions.db can take its pages again.</summary>
    public override async Task ProbeWriteAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cancellationToken))
        await using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        }

        await base.ProbeWriteAsync(cancellationToken);
    }

    // The same bound as the connection's DefaultTimeout (5 s): past it the writer fails and the request gets its 503.
    private const int BusyTimeoutMs = 5000;

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // Per connection, not stored in the file. busy_timeout: a writer that finds the write lock taken (the challenger's
        // rows, a purge) waits in SQLite's own handler, a few ms at a time, instead of Microsoft.Data.Sqlite's retry
        // loop, which sleeps 150 ms between tries and showed as a 145 ms p99 with a challenger in shadow.
        pragma.CommandText = $"PRAGMA synchronous={_synchronous}; PRAGMA busy_timeout={BusyTimeoutMs}; " +
            $"PRAGMA wal_autocheckpoint={WalAutocheckpointPages}; PRAGMA journal_size_limit={JournalSizeLimitBytes}";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// synchronous=NORMAL for the challenger's rows: in WAL mode its commits then skip the disk flush, so it holds
    /// SQLite's one write lock (which the decision writer needs) only briefly. A power loss may lose its last rows;
    /// the decisions themselves keep the configured durability.
    /// </summary>
    protected override async ValueTask<DbConnection> OpenForShadowAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={BusyTimeoutMs}";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override async Task InsertAsync(IReadOnlyList<StoredDecision> records, CancellationToken cancellationToken)
    {
        if (_writer is null || _insert is null)
        {
            _writer = (SqliteConnection)await OpenAsync(cancellationToken);
            _insert = _writer.CreateCommand();
            _insert.CommandText = "INSERT INTO decisions (id, application_id, decided_at, model_version, threshold, probability_of_default, decision, reasons, applicant, money_basis, currency, expected_profit, loss, margin, refer_reasons, model) " +
                "VALUES ($i, $a, $t, $m, $h, $p, $d, $r, $x, $b, $c, $e, $l, $g, $f, $n)";
            foreach (var name in new[] { "$i", "$a", "$t", "$m", "$h", "$p", "$d", "$r", "$x", "$b", "$c", "$e", "$l", "$g", "$f", "$n" })
            {
                _insert.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
        }

        try
        {
            using var transaction = _writer.BeginTransaction();
            _insert.Transaction = transaction;
            var p = _insert.Parameters;
            foreach (var r in records)
            {
                p[0].Value = r.Id.ToString();
                p[1].Value = (object?)r.ApplicationId ?? DBNull.Value;
                p[2].Value = r.DecidedAt.ToUnixTimeMilliseconds();
                p[3].Value = r.ModelVersion;
                p[4].Value = r.Threshold;
                p[5].Value = r.ProbabilityOfDefault;
                p[6].Value = r.Decision;
                p[7].Value = r.ReasonsJson;
                p[8].Value = r.ApplicantJson;
                p[9].Value = (object?)r.Money?.Basis ?? DBNull.Value;
                p[10].Value = (object?)r.Money?.Currency ?? DBNull.Value;
                p[11].Value = (object?)r.Money?.ExpectedProfit ?? DBNull.Value;
                p[12].Value = (object?)r.Money?.Loss ?? DBNull.Value;
                p[13].Value = (object?)r.Money?.Margin ?? DBNull.Value;
                p[14].Value = (object?)r.ReferReasonsJson ?? DBNull.Value;
                p[15].Value = (object?)r.Model ?? DBNull.Value;
                await _insert.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            // A fresh connection for the next batch: after a failure this one cannot be trusted.
            CloseWriter();
            throw;
        }
    }

    public override void Dispose()
    {
        CloseWriter();
        SqliteConnection.ClearAllPools();
    }

    private void CloseWriter()
    {
        _insert?.Dispose();
        _writer?.Dispose();
        _insert = null;
        _writer = null;
    }
}
