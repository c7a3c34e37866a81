using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CreditRisk.Contracts;
using CreditRisk.Server.Challenger;

namespace CreditRisk.Server.Tests;

/// <summary>
/// The real server serving both shipped models from a repository, German Credit the default with its shipped challenger
/// in shadow, reports recomputed every second: what each model's monitoring and the challenger's comparison read through
/// swaps, a promotion and a rollback (issue 29 §1 and §3).
/// </summary>
public sealed class MonitoredRepositoryServer : RepositoryServer
{
    public static string ChallengerVersion => System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Shipped(TestModels.German, "challenger"), "model.json")))
        .RootElement.GetProperty("modelVersion").GetString()!;

    protected override void Configure(Dictionary<string, string> settings)
    {
        settings["Model__ChallengerPath"] = Path.Combine(Shipped(TestModels.German, "challenger"), "model.onnx");
        settings["Monitoring__RefreshSeconds"] = "1";
        settings["Challenger__GaugeRefreshSeconds"] = "1";
    }
}

/// <summary>Each served model monitored on its own decisions, of the version it serves now; the challenger follows the champion.</summary>
public sealed class ModelMonitoringTests(MonitoredRepositoryServer fixture) : IClassFixture<MonitoredRepositoryServer>
{
    private const string German = TestModels.German;
    private const string LendingClub = TestModels.LendingClub;
    private readonly HttpClient _client = fixture.Server.Client;

    [Fact]
    public async Task Each_model_is_monitored_on_the_decisions_of_the_version_it_serves_now_and_the_challenger_pairs_with_the_serving_champion()
    {
        var champion = TestModels.SidecarVersion(German);
        var lendingClub = TestModels.SidecarVersion(LendingClub);
        var challenger = MonitoredRepositoryServer.ChallengerVersion;

        // Both models score, each by its own route; outcomes come back for half of each.
        var germanDecisions = await ScoreAsync("/api/v1/score/batch", German, 60, skip: 0);
        var lendingDecisions = await ScoreAsync($"/api/v1/models/{LendingClub}/score/batch", LendingClub, 40, skip: 0);
        Assert.All(germanDecisions, d => Assert.Equal(champion, d.ModelVersion));
        Assert.All(lendingDecisions, d => Assert.Equal(lendingClub, d.ModelVersion));
        await FeedAsync(germanDecisions.Take(30));
        await FeedAsync(lendingDecisions.Take(20));

        // Each model's monitoring counts its own decisions only, names the model and the version that made them, and
        // measures drift against that version's own card (Lending Club's has money; German Credit's none).
        var german = await MonitoringAsync(German, r => r.Window.Decisions == 60);
        Assert.Equal((German, champion, 60, 30), (german.Model, german.ModelVersion, german.Window.Decisions, german.Outcomes.Matured));
        Assert.Null(german.Money);
        Assert.Equal(TestModels.Spec(German).Inputs.Select(f => f.Name).Order(StringComparer.Ordinal), german.Features.Select(f => f.Name).Order(StringComparer.Ordinal));
        var lending = await MonitoringAsync(LendingClub, r => r.Window.Decisions == 40);
        Assert.Equal((LendingClub, lendingClub, 40, 20), (lending.Model, lending.ModelVersion, lending.Window.Decisions, lending.Outcomes.Matured));
        Assert.NotNull(lending.Money);
        Assert.Equal(TestModels.Spec(LendingClub).Inputs.Select(f => f.Name).Order(StringComparer.Ordinal), lending.Features.Select(f => f.Name).Order(StringComparer.Ordinal));

        // /api/v1/monitoring is the default model's report, the same one.
        var byDefault = (await fixture.Keyed.GetFromJsonAsync<MonitoringReport>("/api/v1/monitoring", Http.Json))!;
        Assert.Equal((German, champion, 60), (byDefault.Model, byDefault.ModelVersion, byDefault.Window.Decisions));
        var unknown = await (await fixture.Keyed.GetAsync("/api/v1/models/no-such-model/monitoring")).AssertProblem(404);
        Assert.Contains("no-such-model", (string?)unknown["detail"], StringComparison.Ordinal);
        await (await _client.GetAsync($"/api/v1/models/{LendingClub}/monitoring")).AssertProblem(401);

        // The scoring metrics tell the two models' traffic apart; each model's gauges carry its version.
        var metrics = await _client.GetStringAsync("/metrics");
        Assert.Equal(60, Sum(metrics, $@"^creditrisk_scores_total\{{model=""{German}"",decision=""\w+""\}} (\S+)$"));
        Assert.Equal(40, Sum(metrics, $@"^creditrisk_scores_total\{{model=""{LendingClub}"",decision=""\w+""\}} (\S+)$"));
        Assert.Equal(1, Sum(metrics, $@"^creditrisk_scoring_duration_seconds_count\{{model=""{LendingClub}"",endpoint=""batch""\}} (\S+)$"));
        Assert.Equal(1, Sum(metrics, $@"^creditrisk_pipeline_stage_duration_seconds_count\{{model=""{LendingClub}"",transport=""batch"",stage=""score""\}} (\S+)$"));
        Assert.Contains($"creditrisk_monitoring_window_decisions{{version=\"{champion}\"}} 60", metrics, StringComparison.Ordinal);
        Assert.Contains($"creditrisk_monitoring_window_decisions{{version=\"{lendingClub}\"}} 40", metrics, StringComparison.Ordinal);

        // The challenger shadows the default model's decisions only, and pairs them with the champion serving now.
        var paired = await ChallengerAsync(r => r.Comparison.Decisions == 60);
        Assert.Equal((champion, challenger, 30), (paired.ChampionVersion, paired.ChallengerVersion, paired.Comparison.Matured));
        Assert.Contains($"creditrisk_challenger_window_decisions{{version=\"{champion}\",challenger=\"{challenger}\"}} 60", await _client.GetStringAsync("/metrics"), StringComparison.Ordinal);

        // Promoted (forced: the checks are PromotionTests' subject). German Credit's monitoring moves to the version it
        // serves now, whose window starts empty; the replaced version's gauges go. Lending Club's is untouched.
        var promoted = await fixture.Admin.PostAsJsonAsync($"/api/v1/models/{German}/promote", new PromotionRequest(true, "test", "monitoring follows the version"), Http.Json);
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        german = await MonitoringAsync(German, r => r.ModelVersion == challenger);
        Assert.Equal((German, 0, 0), (german.Model, german.Window.Decisions, german.Outcomes.Matured));
        Assert.Equal(challenger, (await fixture.Keyed.GetFromJsonAsync<MonitoringReport>("/api/v1/monitoring", Http.Json))!.ModelVersion);
        Assert.Equal((lendingClub, 40), ((await MonitoringAsync(LendingClub, _ => true)).ModelVersion, (await MonitoringAsync(LendingClub, _ => true)).Window.Decisions));

        // The shadow is retired: the champion is the challenger's own file. Nothing to compare, and said so.
        var retired = await (await fixture.Keyed.GetAsync("/api/v1/monitoring/challenger")).AssertProblem(404);
        Assert.Equal("The challenger is not in shadow", (string?)retired["title"]);
        Assert.Contains("rollback", (string?)retired["detail"], StringComparison.Ordinal);
        metrics = await _client.GetStringAsync("/metrics");
        Assert.DoesNotContain($"creditrisk_monitoring_window_decisions{{version=\"{champion}\"}}", metrics, StringComparison.Ordinal);
        Assert.Contains($"creditrisk_monitoring_window_decisions{{version=\"{challenger}\"}} 0", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("creditrisk_challenger_window_decisions{", metrics, StringComparison.Ordinal);

        // Decisions of the promoted version are its own window's, and the retired shadow does not score them against itself.
        var shadowScored = Sum(metrics, @"^creditrisk_challenger_scored_total (\S+)$");
        var byChallenger = await ScoreAsync("/api/v1/score/batch", German, 20, skip: 60);
        Assert.All(byChallenger, d => Assert.Equal(challenger, d.ModelVersion));
        german = await MonitoringAsync(German, r => r.Window.Decisions == 20);
        Assert.Equal(challenger, german.ModelVersion);
        await Task.Delay(1000);
        Assert.Equal(shadowScored, Sum(await _client.GetStringAsync("/metrics"), @"^creditrisk_challenger_scored_total (\S+)$"));

        // Rolled back: the champion's window is back as it was (every decision keeps its version), the shadow resumes,
        // and the comparison pairs the champion's decisions only: the promoted version's 20 are in no pair.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsync($"/api/v1/models/{German}/rollback", null)).StatusCode);
        german = await MonitoringAsync(German, r => r.ModelVersion == champion);
        Assert.Equal((60, 30), (german.Window.Decisions, german.Outcomes.Matured));
        paired = await ChallengerAsync(r => r.ChampionVersion == champion);
        Assert.Equal(60, paired.Comparison.Decisions);
        await ScoreAsync("/api/v1/score/batch", German, 10, skip: 80);
        paired = await ChallengerAsync(r => r.Comparison.Decisions == 70);
        Assert.Equal((champion, challenger), (paired.ChampionVersion, paired.ChallengerVersion));

        // A swap from the repository moves them the same way: version 2 holds the challenger's files, whose version's
        // window holds the 20 decisions it made while promoted; removed again, the champion's 70 are back.
        fixture.PlaceVersion(German, 2, RepositoryServer.Shipped(German, "challenger"));
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsync($"/v2/repository/models/{German}/load", null)).StatusCode);
            german = await MonitoringAsync(German, r => r.ModelVersion == challenger);
            Assert.Equal(20, german.Window.Decisions);
            await (await fixture.Keyed.GetAsync("/api/v1/monitoring/challenger")).AssertProblem(404);
        }
        finally
        {
            fixture.RemoveVersion(German, 2);
            Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsync($"/v2/repository/models/{German}/load", null)).StatusCode);
        }

        german = await MonitoringAsync(German, r => r.ModelVersion == champion);
        Assert.Equal(70, german.Window.Decisions);
        Assert.Equal(champion, (await ChallengerAsync(r => r.ChampionVersion == champion)).ChampionVersion);
    }

    /// <summary>Golden rows of <paramref name="dataset"/> scored in one batch on <paramref name="path"/>.</summary>
    private async Task<IReadOnlyList<ScoreResult>> ScoreAsync(string path, string dataset, int count, int skip)
    {
        var rows = Golden.Load(dataset).Rows.Where(r => r.Kind == "data").Skip(skip).Take(count).Select(r => r.Input.DeepClone()).ToList();
        Assert.Equal(count, rows.Count);
        using var response = await _client.PostJson(path, new JsonObject { ["applicants"] = new JsonArray([.. rows]) });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return System.Text.Json.JsonSerializer.Deserialize<BatchScoreResponse>(text, Http.Json)!.Results;
    }

    /// <summary>An outcome for each decision, every third one a default.</summary>
    private async Task FeedAsync(IEnumerable<ScoreResult> decisions)
    {
        var outcomes = decisions.Select((d, i) => new OutcomeRequest(d.DecisionId!.Value, null, i % 3 == 0, DateTimeOffset.UtcNow)).ToList();
        using var fed = await fixture.Keyed.PostAsJsonAsync("/api/v1/outcomes", new OutcomeBatchRequest(outcomes), Http.Json);
        Assert.Equal(HttpStatusCode.OK, fed.StatusCode);
    }

    /// <summary>The model's report once it satisfies <paramref name="until"/> (reports are recomputed every second here).</summary>
    private Task<MonitoringReport> MonitoringAsync(string name, Func<MonitoringReport, bool> until) =>
        PollAsync($"/api/v1/models/{name}/monitoring", until);

    private Task<ChallengerReport> ChallengerAsync(Func<ChallengerReport, bool> until) => PollAsync("/api/v1/monitoring/challenger", until);

    private async Task<T> PollAsync<T>(string path, Func<T, bool> until)
    {
        T? last = default;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var response = await fixture.Keyed.GetAsync(path);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                last = (await response.Content.ReadFromJsonAsync<T>(Http.Json))!;
                if (until(last))
                {
                    return last;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{path} did not reach the expected state within 20 s; last: {System.Text.Json.JsonSerializer.Serialize(last, Http.Json)[..Math.Min(600, System.Text.Json.JsonSerializer.Serialize(last, Http.Json).Length)]}");
    }

    private static double Sum(string metrics, string pattern) =>
        Regex.Matches(metrics, pattern, RegexOptions.Multiline).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
}
