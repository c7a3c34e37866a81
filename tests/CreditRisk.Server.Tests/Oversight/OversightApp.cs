using System.Text.Json.Nodes;
using CreditRisk.Testing;

namespace CreditRisk.Server.Tests;

/// <summary>
/// The shipped German Credit model with referral on (a 5-point PD band and unseen categories), the records key and two
/// named reviewer keys, on the store a subclass picks. One server per store serves every oversight test.
/// </summary>
public abstract class OversightApp : IAsyncLifetime
{
    public const string Key = "records-key-for-oversight-0123";
    public const string Alice = "alice-reviewer-key-0123456789";
    public const string Bob = "bob-reviewer-key-0123456789ab";
    public const double Band = 0.05;

    public AppFactory Factory { get; private set; } = null!;

    protected abstract Task<Dictionary<string, string?>> StoreSettingsAsync();

    /// <summary>Runs a statement on the store directly, past the server (to show what the store itself refuses).</summary>
    public abstract Task ExecuteSqlAsync(string sql);

    public async Task InitializeAsync()
    {
        var settings = await StoreSettingsAsync();
        settings["ApiKey:Key"] = Key;
        settings["ApiKey:Reviewers:alice"] = Alice;
        settings["ApiKey:Reviewers:bob"] = Bob;
        settings["Refer:Band"] = Band.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Refer:UnseenCategories"] = "true";
        settings["Monitoring:RefreshSeconds"] = "1";
        settings["Notice:LenderName"] = "Example Bank";
        settings["Notice:LenderContact"] = "1 Main Street, Springfield; 555-0100";
        Factory = new AppFactory(settings);
        _ = Factory.Server;
    }

    public HttpClient Client(string? key = null)
    {
        var client = Factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", key);
        }

        return client;
    }

    public virtual Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The golden file's training rows (request-shaped inputs) with the PD and threshold the trainer recorded.</summary>
    public static IReadOnlyList<(JsonObject Input, double Pd, double Threshold)> GoldenRows { get; } = ReadGolden();

    private static List<(JsonObject, double, double)> ReadGolden()
    {
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.RepoRoot, "artifacts", TestModels.German, "golden.json")))!;
        return golden["rows"]!.AsArray()
            .Where(r => (string)r!["kind"]! == "data")
            .Select(r => (r!["input"]!.AsObject().DeepClone().AsObject(), (double)r["pd"]!, (double)r["threshold"]!))
            .ToList();
    }

    /// <summary>A training applicant whose golden PD is within [low, high) of its threshold, with protected attributes added.</summary>
    public static JsonObject Applicant(double low, double high, int skip = 0)
    {
        var row = GoldenRows.Where(r => r.Pd - r.Threshold >= low && r.Pd - r.Threshold < high).Skip(skip).First().Input.DeepClone().AsObject();
        row["personalStatusSex"] = "femaleSingle";
        row["age"] = 41;
        row["foreignWorker"] = "no";
        return row;
    }
}

public sealed class SqliteOversightApp : OversightApp
{
    protected override Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    public override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Factory.DataFolder, "decisions.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class PostgresOversightApp : OversightApp
{
    private PostgresServer? _postgres;
    private string _connectionString = "";

    protected override async Task<Dictionary<string, string?>> StoreSettingsAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _connectionString = await _postgres.CreateDatabaseAsync("oversight");
        return new() { ["Records:ConnectionString"] = _connectionString };
    }

    public override async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
