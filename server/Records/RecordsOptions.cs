using System.ComponentModel.DataAnnotations;

namespace CreditRisk.Server.Records;

/// <summary>Where and how decisions are recorded. Section <c>Records</c>.</summary>
public sealed class RecordsOptions : IValidatableObject
{
    public const string Section = "Records";

    /// <summary>Off: pure inference, nothing stored, responses carry no decision id.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>PostgreSQL (Npgsql) connection string; empty = the embedded SQLite file in <see cref="DataFolder"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Folder of the SQLite file (decisions.db); relative to the app's folder. Default: the user's local data folder.</summary>
    public string? DataFolder { get; set; }

    /// <summary>SQLite's durability: Full (default) = each commit on disk before its 200, power loss included; Normal = safe
    /// against a process crash (kill -9), not against power loss, and much cheaper per commit (see benchmarks/RESULTS.md).</summary>
    public SqliteSynchronous SqliteSynchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>SQLite: start an empty store although this folder has held one (its marker file is there but decisions.db
    /// is gone). Off by default, so a lost or unmounted file stops the start instead of every acknowledged id turning 404.</summary>
    public bool CreateIfMissing { get; set; }

    /// <summary>Most records one commit gathers from concurrent requests (group commit).</summary>
    [Range(1, 10_000)]
    public int MaxRecordsPerCommit { get; set; } = 512;

    /// <summary>Requests waiting for a commit; beyond → 503 with Retry-After (the store is saturated).</summary>
    [Range(1, 1_000_000)]
    public int QueueLimit { get; set; } = 4096;

    /// <summary>How long a request waits for its commit before it is answered 503 instead.</summary>
    [Range(1, 300)]
    public int CommitTimeoutSeconds { get; set; } = 10;

    /// <summary>Commits failing for this long → /health/ready answers 503 until a write (a commit, or readiness's own write
    /// probe) succeeds again; reads that still work do not count.</summary>
    [Range(0, 3600)]
    public int UnreadyAfterSeconds { get; set; } = 10;

    /// <summary>
    /// Records older than this are deleted by a periodic purge (never one under review: referred, not yet reviewed);
    /// 0 keeps them forever. The default, 762 days, is 25 months (Regulation B §1002.12(b) keeps an application, its
    /// data, notice and reasons 25 months); the EU AI Act's minimum for a high-risk system's logs is 6 months (Art. 19).
    /// Not enforced here (a test or a lender under neither rule may want less): docs/oversight.md says what to keep.
    /// </summary>
    [Range(0, 36_500)]
    public int RetentionDays { get; set; } = DefaultRetentionDays;

    /// <summary>25 months, rounded up: 2 × 365 + 31 + 1.</summary>
    public const int DefaultRetentionDays = 762;

    /// <summary>How often the retention purge runs.</summary>
    [Range(1, 10_080)]
    public int PurgeIntervalMinutes { get; set; } = 60;

    public bool UsesPostgres => !string.IsNullOrWhiteSpace(ConnectionString);

    public string ResolvedDataFolder => Path.GetFullPath(
        string.IsNullOrWhiteSpace(DataFolder)
            ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } local
                ? Path.Combine(local, "creditrisk")
                : "data"
            : DataFolder,
        AppContext.BaseDirectory);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UsesPostgres)
        {
            // Parsed here so a typo stops start-up with the setting's name, not the first request.
            string? error = null;
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException e)
            {
                error = e.Message;
            }

            if (error is not null)
            {
                yield return new ValidationResult($"Records:ConnectionString is not a valid PostgreSQL connection string ({error}).", [nameof(ConnectionString)]);
            }
        }
    }
}

public enum SqliteSynchronous
{
    Full,
    Normal,
}
