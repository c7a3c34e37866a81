using System.Globalization;
using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Server.Records;
using CreditRisk.Testing;
using DbUp;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>Lending Club's applicants (the golden file's data rows, in data order), their real outcome (the CSV's Class column), and which the shipped model rejects.</summary>
internal static class LendingClubData
{
    public static readonly Lazy<(IReadOnlyDictionary<string, JsonElement>[] Applicants, bool[] Bad, bool[] Rejected)> Value = new(Load);

    private static (IReadOnlyDictionary<string, JsonElement>[], bool[], bool[]) Load()
    {
        var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.RepoRoot, "artifacts", TestModels.LendingClub, "golden.json"))).RootElement;
        var rows = golden.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "data").ToArray();
        var applicants = rows.Select(r => (IReadOnlyDictionary<string, JsonElement>)r.GetProperty("input").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone())).ToArray();
        var lines = File.ReadAllLines(Path.Combine(Paths.RepoRoot, "data", TestModels.LendingClub, "lending_club.csv")).Skip(1).Where(l => l.Length > 0).ToArray();
        Assert.Equal(applicants.Length, lines.Length);
        // The rows line up: each line's funded amount (the first column) is its golden row's.
        Assert.All(Enumerable.Range(0, lines.Length), i => Assert.Equal(double.Parse(lines[i].Split(',')[0], CultureInfo.InvariantCulture), applicants[i]["fundedAmount"].GetDouble()));
        return (applicants, [.. lines.Select(l => l.Split(',')[^1].Trim('"') == "bad")], [.. rows.Select(r => r.GetProperty("decision").GetString() == Decisions.Reject)]);
    }
}

/// <summary>
/// The built server on the shipped Lending Club model, over a store made at migration 0004 with one old decision (and
/// its outcome) in it; the server applies 0005 at start. 2,000-decision window, recomputed every second.
/// </summary>
public abstract class MoneyMonitoringServer : IAsyncLifetime
{
    public const string Key = "money-test-key-0123456789";

    public ServerProcess Server { get; private set; } = null!;

    /// <summary>The decision recorded before migration 0005, 40 days ago, repaid.</summary>
    public Guid OldDecisionId { get; } = Guid.CreateVersion7(DateTimeOffset.UtcNow.AddDays(-40));

    /// <summary>Creates the store at migration 0004 (the server's own scripts, up to 0004) and returns the server's settings for it.</summary>
    protected abstract Task<Dictionary<string, string>> CreateOldStoreAsync();

    /// <summary>The server's embedded migrations of one provider, those before 0005 only.</summary>
    protected static bool Before0005(string name, string provider) =>
        name.Contains($".Records.Migrations.{provider}.", StringComparison.Ordinal)
        && string.CompareOrdinal(name[(name.IndexOf($".{provider}.", StringComparison.Ordinal) + provider.Length + 2)..], "0005") < 0;

    /// <summary>The old decision, in the columns migration 0001 made.</summary>
    protected void InsertOldDecision(System.Data.Common.DbConnection connection)
    {
        var decidedAt = DateTimeOffset.UtcNow.AddDays(-40).ToUnixTimeMilliseconds();
        using var command = connection.CreateCommand();
        command.CommandText =
            "INSERT INTO decisions (id, application_id, decided_at, model_version, threshold, probability_of_default, decision, reasons, applicant) " +
            $"VALUES ('{OldDecisionId}', 'old-1', {decidedAt}, '{TestModels.SidecarVersion(TestModels.LendingClub)}', 0.17, 0.03, 'approve', '[]', " +
            $"'{JsonSerializer.Serialize(TestModels.ShippedCard(TestModels.LendingClub).ExampleApplicant, Http.Json)}');" +
            $"INSERT INTO outcomes (decision_id, defaulted, observed_at, recorded_at) VALUES ('{OldDecisionId}', false, {decidedAt + 1000}, {decidedAt + 1000});" +
            $"INSERT INTO outcome_history (decision_id, defaulted, observed_at, recorded_at) VALUES ('{OldDecisionId}', false, {decidedAt + 1000}, {decidedAt + 1000})";
        command.ExecuteNonQuery();
    }

    public async Task InitializeAsync()
    {
        var settings = await CreateOldStoreAsync();
        settings["Model__Path"] = TestModels.ShippedModel(TestModels.LendingClub);
        settings["Monitoring__WindowDecisions"] = "2000";
        settings["Monitoring__RefreshSeconds"] = "1";
        settings["ApiKey__Key"] = Key;
        Server = await ServerProcess.StartAsync(Paths.ServerDll, settings);
    }

    public virtual async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class SqliteMoneyMonitoringServer : MoneyMonitoringServer
{
    private readonly string _folder = Directory.CreateTempSubdirectory("creditrisk-money-").FullName;

    protected override Task<Dictionary<string, string>> CreateOldStoreAsync()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "decisions.db"), Pooling = false }.ToString();
        var result = DeployChanges.To.SqliteDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DecisionStore).Assembly, name => Before0005(name, "Sqlite"))
            .WithTransactionPerScript().LogToNowhere().Build().PerformUpgrade();
        Assert.True(result.Successful, result.Error?.Message);
        Assert.Equal(4, result.Scripts.Count());
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            InsertOldDecision(connection);
        }

        return Task.FromResult(new Dictionary<string, string> { ["Records__DataFolder"] = _folder });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class PostgresMoneyMonitoringServer : MoneyMonitoringServer
{
    private PostgresServer? _postgres;

    protected override async Task<Dictionary<string, string>> CreateOldStoreAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        var connectionString = await _postgres.CreateDatabaseAsync("money");
        var result = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DecisionStore).Assembly, name => Before0005(name, "Postgres"))
            .WithTransactionPerScript().LogToNowhere().Build().PerformUpgrade();
        Assert.True(result.Successful, result.Error?.Message);
        Assert.Equal(4, result.Scripts.Count());
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            InsertOldDecision(connection);
        }

        return new() { ["Records__ConnectionString"] = connectionString };
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
