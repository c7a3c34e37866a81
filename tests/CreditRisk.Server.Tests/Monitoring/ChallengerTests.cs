using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.Challenger;
using CreditRisk.Server.Records;
using CreditRisk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>
/// The shipped German challenger in shadow beside the shipped champion, on a real store (SQLite and PostgreSQL): its
/// recorded PDs are its own golden PDs, and the comparison endpoint equals a computation by hand.
/// </summary>
public abstract class ChallengerContract<TApp>(TApp app)
    where TApp : ChallengerApp
{
    // xUnit runs a class's tests one after another; the comparison's window is the last Window decisions, so the
    // comparison test posts exactly that many as the latest.
    public const int Window = 24;

    [Fact]
    public async Task The_challengers_recorded_PDs_equal_its_own_golden_PDs()
    {
        var golden = Golden(ChallengerApp.ChallengerPath).Take(300).ToArray();
        var results = await ScoreBatch(golden.Select(g => g.Input));

        var recorded = await WaitForChallenger(results);

        var tolerance = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(ChallengerApp.ChallengerPath)!, "golden.json")))
            .RootElement.GetProperty("tolerance").GetDouble();
        var version = TestModels.SidecarVersion(Path.Combine("german-credit", "challenger"));
        for (var i = 0; i < golden.Length; i++)
        {
            Assert.Equal(version, recorded[i].ModelVersion);
            Assert.Equal(golden[i].Pd, recorded[i].ProbabilityOfDefault, tolerance);
            Assert.Equal(golden[i].Decision, recorded[i].Decision);
        }

        // The response is the champion's: its version, not the challenger's.
        Assert.All(results, r => Assert.Equal(TestModels.SidecarVersion(TestModels.German), r.ModelVersion));
    }

    [Fact]
    public async Task The_comparison_after_known_outcomes_equals_a_computation_by_hand()
    {
        // Rows of the data where the two models disagree more often than at random: every 7th row of the golden file.
        var rows = Golden(ChallengerApp.ChallengerPath).Where((_, i) => i % 7 == 3).Take(Window).Select(g => g.Input).ToArray();
        var results = await ScoreBatch(rows);
        var challenger = await WaitForChallenger(results);
        using var keyed = app.Factory.CreateClient();
        keyed.DefaultRequestHeaders.Add("X-API-Key", ChallengerApp.Key);
        bool?[] bad = [.. Enumerable.Range(0, Window).Select(i => i % 5 == 4 ? (bool?)null : i % 3 == 0)];
        var outcomes = new JsonArray([.. Enumerable.Range(0, Window).Where(i => bad[i] is not null).Select(i => (JsonNode)new JsonObject
        {
            ["decisionId"] = results[i].DecisionId.ToString(),
            ["defaulted"] = bad[i]!.Value,
            ["observedAt"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        })]);
        using (var posted = await keyed.PostJson("/api/v1/outcomes", new JsonObject { ["outcomes"] = outcomes }))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        // The app has a key, so the comparison needs it (issue 26).
        using var response = await keyed.GetAsync(new Uri("/api/v1/monitoring/challenger", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<ChallengerReport>(Http.Json))!;

        // By hand: cost 5 for an approved bad, 1 for a rejected good, 0 otherwise.
        var championThreshold = results[0].Threshold;
        static double Cost(bool isBad, bool rejects) => isBad ? (rejects ? 0 : 5) : (rejects ? 1 : 0);
        var disagree = 0;
        List<double> champion = [], other = [], atChampion = [];
        for (var i = 0; i < Window; i++)
        {
            var championRejects = results[i].Decision == Decisions.Reject;
            var challengerRejects = challenger[i].Decision == Decisions.Reject;
            disagree += championRejects != challengerRejects ? 1 : 0;
            if (bad[i] is { } isBad)
            {
                champion.Add(Cost(isBad, championRejects));
                other.Add(Cost(isBad, challengerRejects));
                atChampion.Add(Cost(isBad, challenger[i].ProbabilityOfDefault > championThreshold));
            }
        }

        var differences = other.Zip(champion, (c, h) => c - h).ToArray();
        var n = differences.Length;
        var mean = differences.Average();
        var half = 1.959963984540054 * Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (n - 1)) / Math.Sqrt(n);
        var c = report.Comparison;
        Assert.Equal(Window, report.WindowDecisions);
        Assert.Equal(Window, c.Decisions);
        Assert.Equal((double)disagree / Window, c.DisagreementRate, 12);
        Assert.Equal(n, c.Matured);
        Assert.Equal(champion.Average(), c.ChampionCostPerApplicant, 12);
        Assert.Equal(other.Average(), c.ChallengerCostPerApplicant, 12);
        Assert.Equal(atChampion.Average(), c.ChallengerCostAtChampionThreshold, 12);
        Assert.Equal(mean, c.MeanCostDifference, 12);
        Assert.Equal(mean - half, c.Ci95Low!.Value, 12);
        Assert.Equal(mean + half, c.Ci95High!.Value, 12);
        Assert.Equal(TestModels.SidecarVersion(Path.Combine("german-credit", "challenger")), report.ChallengerVersion);
        // Issue 33, finding 9: the shipped challenger is one logistic regression, which its card calls an "Ensemble".
        Assert.Equal("LogisticRegression(l1=0, l2=1)", report.ChallengerLearner);
        Assert.StartsWith("Ensemble (mean PD of LogisticRegression, LightGbm", report.ChampionLearner, StringComparison.Ordinal);

        // The gauges carry the same figures.
        var metrics = await app.Factory.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var labels = $"version=\"{report.ChampionVersion}\",challenger=\"{report.ChallengerVersion}\"";
        Assert.Equal(champion.Average(), ChallengerIsolationTests.Sample(metrics, $"creditrisk_challenger_realised_cost{{{labels},model=\"champion\"}}")!.Value, 12);
        Assert.Equal(other.Average(), ChallengerIsolationTests.Sample(metrics, $"creditrisk_challenger_realised_cost{{{labels},model=\"challenger\"}}")!.Value, 12);
        Assert.Equal(c.DisagreementRate, ChallengerIsolationTests.Sample(metrics, $"creditrisk_challenger_disagreement_rate{{{labels}}}")!.Value, 12);
        Assert.Equal(mean - half, ChallengerIsolationTests.Sample(metrics, $"creditrisk_challenger_cost_difference{{{labels},stat=\"ci95_low\"}}")!.Value, 12);
    }

    private async Task<ScoreResult[]> ScoreBatch(IEnumerable<JsonObject> applicants)
    {
        using var response = await app.Factory.CreateClient().PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray([.. applicants]) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!.Results];
    }

    /// <summary>
    /// Waits for the shadow worker to have recorded every decision (the test's deadline, not an assertion on time), read
    /// as the comparison reads them (<see cref="DecisionStore.ReadPairsAsync"/>): the latest pairs of this champion and
    /// the shipped challenger, matched to the results by the champion's PD.
    /// </summary>
    private async Task<RecordedChallenger[]> WaitForChallenger(ScoreResult[] results)
    {
        var store = app.Factory.Services.GetRequiredService<DecisionStore>();
        var version = TestModels.SidecarVersion(Path.Combine("german-credit", "challenger"));
        var expected = results.Select(r => r.ProbabilityOfDefault).Order().ToArray();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var pairs = await store.ReadPairsAsync(results[0].ModelVersion, version, results.Length, deadline.Token);
            if (pairs.Select(p => p.ChampionPd).Order().SequenceEqual(expected))
            {
                return [.. results.Select(r => pairs.First(p => p.ChampionPd == r.ProbabilityOfDefault)).Select(p =>
                    new RecordedChallenger(version, p.ChallengerPd, p.ChallengerRejects ? Decisions.Reject : Decisions.Approve))];
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    private sealed record RecordedChallenger(string ModelVersion, double ProbabilityOfDefault, string Decision);

    internal static IEnumerable<(JsonObject Input, double Pd, string Decision)> Golden(string modelPath)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(modelPath)!, "golden.json")))!;
        return json["rows"]!.AsArray()
            .Where(r => (string)r!["kind"]! == "data")
            .Select(r => (r!["input"]!.DeepClone().AsObject(), (double)r["pd"]!, (string)r["decision"]!));
    }
}

/// <summary>The shipped German champion with the shipped challenger, the API key set, on the store a subclass picks.</summary>
public abstract class ChallengerApp : IAsyncLifetime
{
    public const string Key = "challenger-test-key-0123456789";

    public static string ChallengerPath => Path.Combine(AppContext.BaseDirectory, "artifacts", "german-credit", "challenger", "model.onnx");

    public AppFactory Factory { get; private set; } = null!;

    protected abstract Task<Dictionary<string, string?>> StoreSettingsAsync();

    public async Task InitializeAsync()
    {
        var settings = await StoreSettingsAsync();
        settings["Model:ChallengerPath"] = ChallengerPath;
        settings["ApiKey:Key"] = Key;
        settings["Challenger:WindowDecisions"] = ChallengerContract<ChallengerApp>.Window.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Factory = new AppFactory(settings);
        _ = Factory.Server;
    }

    public virtual Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteChallengerApp : ChallengerApp
{
    protected override Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());
}

public sealed class PostgresChallengerApp : ChallengerApp
{
    private PostgresServer? _postgres;

    protected override async Task<Dictionary<string, string?>> StoreSettingsAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        return new() { ["Records:ConnectionString"] = await _postgres.CreateDatabaseAsync("challenger") };
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

public sealed class SqliteChallengerTests(SqliteChallengerApp app) : ChallengerContract<SqliteChallengerApp>(app), IClassFixture<SqliteChallengerApp>;

public sealed class PostgresChallengerTests(PostgresChallengerApp app) : ChallengerContract<PostgresChallengerApp>(app), IClassFixture<PostgresChallengerApp>;

/// <summary>A challenger that fails changes no response; one with other inputs, or none, is refused or reported plainly.</summary>
public sealed class ChallengerIsolationTests
{
    [Fact]
    public async Task A_challenger_that_throws_changes_no_response_and_its_drops_are_counted()
    {
        // PD = 2 · sigmoid(0.1 · the first number − 2): above 1, so refused by the output check, for every applicant
        // whose first number is above 20; the card's own applicants pass the warm-up.
        var throwing = TestModels.Write("challenger-throws.onnx", TestModels.TinyWith(scale: 2));
        var applicants = ChallengerContract<ChallengerApp>.Golden(ChallengerApp.ChallengerPath).Take(200).Select(g => g.Input).ToArray();
        Assert.Contains(applicants, a => (double)a[TestModels.DrivingInput(TestModels.Spec())]! > 20);

        using var plain = new AppFactory(new Dictionary<string, string?>());
        using var shadowed = new AppFactory(new Dictionary<string, string?> { ["Model:ChallengerPath"] = throwing });
        var before = await Dropped(shadowed, "model");

        var expected = await Responses(plain, applicants);
        var actual = await Responses(shadowed, applicants);

        Assert.Equal(expected, actual);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await Dropped(shadowed, "model") <= before)
        {
            await Task.Delay(50, deadline.Token);
        }

        Assert.Contains("Challenger in shadow: dropping decisions", shadowed.Logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_challenger_the_comparison_is_a_404_problem()
    {
        using var app = new AppFactory(new Dictionary<string, string?>());
        using var response = await app.CreateClient().GetAsync(new Uri("/api/v1/monitoring/challenger", UriKind.Relative));
        var problem = await response.AssertProblem(404);
        Assert.Equal("No challenger configured", (string?)problem["title"]);
    }

    [Fact]
    public async Task A_challenger_with_other_inputs_is_refused_at_start_with_one_line()
    {
        var (exitCode, stdout, stderr) = await ModelLoadTests.RunServer(new()
        {
            ["Model__ChallengerPath"] = TestModels.ShippedModel(TestModels.LendingClub),
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        StartupTests.AssertOneLineExit1(exitCode, stdout, stderr, "the challenger must take the served model's inputs");
    }

    [Fact]
    public async Task A_challenger_without_decision_records_is_refused_at_start_with_one_line()
    {
        var (exitCode, stdout, stderr) = await ModelLoadTests.RunServer(new()
        {
            ["Model__ChallengerPath"] = ChallengerApp.ChallengerPath,
            ["Records__Enabled"] = "false",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });

        StartupTests.AssertOneLineExit1(exitCode, stdout, stderr, "Model:ChallengerPath needs Records:Enabled=true");
    }

    /// <summary>Each response's body without its decision ids (new per decision): single, batch, CSV.</summary>
    private static async Task<string[]> Responses(AppFactory app, JsonObject[] applicants)
    {
        var client = app.CreateClient();
        var bodies = new List<string>();
        foreach (var applicant in applicants.Take(20))
        {
            using var single = await client.PostJson("/api/v1/score", applicant);
            bodies.Add(WithoutIds(await single.Content.ReadAsStringAsync()) + (int)single.StatusCode);
        }

        using var batch = await client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray([.. applicants.Select(a => a.DeepClone())]) });
        bodies.Add(WithoutIds(await batch.Content.ReadAsStringAsync()) + (int)batch.StatusCode);
        return [.. bodies];
    }

    private static string WithoutIds(string json) =>
        System.Text.RegularExpressions.Regex.Replace(json, "\"decisionId\":\"[0-9a-f-]{36}\"", "\"decisionId\":\"…\"");

    private static async Task<double> Dropped(AppFactory app, string reason) =>
        Sample(await app.CreateClient().GetStringAsync(new Uri("/metrics", UriKind.Relative)), $"creditrisk_challenger_dropped_total{{reason=\"{reason}\"}}") ?? 0;

    /// <summary>The value of one sample (metric name with its labels) in a Prometheus text page; null when absent.</summary>
    internal static double? Sample(string metrics, string sample) =>
        metrics.Split('\n').FirstOrDefault(l => l.StartsWith(sample + " ", StringComparison.Ordinal)) is { } line
            ? double.Parse(line[(sample.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)
            : null;
}
