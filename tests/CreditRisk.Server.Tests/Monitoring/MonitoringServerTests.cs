using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CreditRisk.Contracts;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>
/// Monitoring through the real server (its own process, so its /metrics are its own) with the shipped German model, on
/// SQLite and on a throwaway PostgreSQL: the 1,000 German applicants scored over HTTP, shifted or not, the report of
/// GET /api/v1/monitoring, the gauges of a real /metrics scrape fed to <c>promtool test rules</c> with the committed
/// alert rules, and known outcomes posted back. The window is the last 1,000 decisions and each test scores its own
/// 1,000 last, so each test sees only its own decisions.
/// </summary>
public abstract partial class MonitoringContract<TServer>(TServer server, ITestOutputHelper output)
    where TServer : MonitoringServer
{
    private static readonly DatasetSpec Spec = TestModels.Spec(TestModels.German);
    private static readonly ModelCard Card = TestModels.ShippedCard(TestModels.German);
    private static readonly IReadOnlyDictionary<string, JsonElement>[] Applicants = GermanDriftTests.German.Read(Spec);
    private static readonly string[] Inputs = [.. Spec.Inputs.Select(f => f.Name)];

    [Fact]
    public async Task Amounts_times_three_drift_that_input_alone_and_fire_the_alert_an_unshifted_population_does_not()
    {
        await ScoreAsync(Applicants);
        var same = await MonitoringAfterAsync();

        Assert.Equal(1000, same.Window.Decisions);
        Assert.Equal(Inputs.Order(), same.Features.Select(f => f.Name).Order());
        Assert.All(same.Features, f => Assert.True(f.Psi < Psi.WatchFrom, $"{f.Name}: PSI {f.Psi:F3} on the training population"));
        Assert.NotNull(same.Pd);
        output.WriteLine($"unshifted: PD PSI {same.Pd.Psi:F3}, mean PD {same.MeanPd:F3} (training {same.TrainingMeanPd:F3}), approval {same.ApprovalRate:F3} (training {same.TrainingApprovalRate:F3})");
        await AssertAlertsAsync(await ScrapeAsync(), "CreditRiskInputDrift", []);

        await ScoreAsync([.. Applicants.Select(a => With(a, "creditAmount", a["creditAmount"].GetDouble() * 3))]);
        var shifted = await MonitoringAfterAsync();

        var amount = Assert.Single(shifted.Features, f => f.Name == "creditAmount");
        output.WriteLine($"creditAmount ×3: PSI {amount.Psi:F3}; PD PSI {shifted.Pd!.Psi:F3}");
        Assert.True(amount.Psi > Psi.ActAbove, $"PSI {amount.Psi:F3}");
        Assert.Equal(PsiBand.Act, amount.Band);
        Assert.All(shifted.Features.Where(f => f.Name != "creditAmount"), f => Assert.True(f.Psi < Psi.WatchFrom, $"{f.Name}: PSI {f.Psi:F3}"));

        var metrics = await ScrapeAsync();
        var scrapedPsi = Gauges(metrics).Single(g => g.Series.StartsWith("creditrisk_psi{", StringComparison.Ordinal) && g.Series.Contains("feature=\"creditAmount\"", StringComparison.Ordinal));
        Assert.Equal(amount.Psi, scrapedPsi.Value, 1e-9);
        await AssertAlertsAsync(metrics, "CreditRiskInputDrift", [("creditAmount", amount.Psi)]);
    }

    [Fact]
    public async Task Known_outcomes_give_the_realised_cost_and_bad_rate_per_band_computed_by_hand()
    {
        var results = await ScoreAsync(Applicants);
        var defaulted = Labels();
        // Outcomes for the first 600 only: the rest have not matured.
        var matured = Enumerable.Range(0, 600).ToArray();
        var outcomes = new JsonObject
        {
            ["outcomes"] = new JsonArray([.. matured.Select(i => (JsonNode)new JsonObject
            {
                ["decisionId"] = results[i].DecisionId!.Value.ToString(),
                ["defaulted"] = defaulted[i],
                ["observedAt"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            })]),
        };
        using var keyed = new HttpClient { BaseAddress = server.Server.BaseAddress };
        keyed.DefaultRequestHeaders.Add("X-API-Key", MonitoringServer.Key);
        using (var posted = await keyed.PostJson("/api/v1/outcomes", outcomes))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        var report = await MonitoringAfterAsync();

        // By hand: cost FN per approved defaulter, FP per rejected good payer, over the matured decisions.
        var cost = matured.Sum(i => (defaulted[i], results[i].Decision) switch
        {
            (true, Decisions.Approve) => Card.CostFalseNegative,
            (false, Decisions.Reject) => Card.CostFalsePositive,
            _ => 0.0,
        }) / matured.Length;
        Assert.Equal(600, report.Outcomes.Matured);
        Assert.Equal(matured.Count(i => defaulted[i]), report.Outcomes.Defaulted);
        Assert.Equal(cost, report.Outcomes.RealisedCostPerApplicant!.Value, 1e-12);
        Assert.Equal(cost > Card.NestedCv.Ci95High, report.Outcomes.CostAboveNestedCv);
        output.WriteLine($"realised cost {cost:F3} per applicant (nested CV {Card.NestedCv.CostPerApplicant:F3}, {Card.NestedCv.Ci95Low:F3} – {Card.NestedCv.Ci95High:F3}), AUC {report.Outcomes.Auc:F3}");

        // Bands by hand: the training PD deciles of the card, a PD in (low, high].
        var edges = Card.Monitoring!.Pd.Edges!;
        Assert.Equal(edges.Count + 1, report.Outcomes.Bands.Count);
        for (var b = 0; b <= edges.Count; b++)
        {
            var inBand = matured.Where(i =>
                (b == 0 || results[i].ProbabilityOfDefault > edges[b - 1]) && (b == edges.Count || results[i].ProbabilityOfDefault <= edges[b])).ToArray();
            var band = report.Outcomes.Bands[b];
            Assert.Equal(inBand.Length, band.Matured);
            Assert.Equal(inBand.Count(i => defaulted[i]), band.Defaulted);
            if (inBand.Length > 0)
            {
                Assert.Equal((double)inBand.Count(i => defaulted[i]) / inBand.Length, band.RealisedBadRate!.Value, 1e-12);
                Assert.Equal(inBand.Average(i => results[i].ProbabilityOfDefault), band.MeanPd!.Value, 1e-9);
            }

            Assert.Equal(Card.Monitoring.PdBands[b].BadRate, band.TrainingBadRate);
        }

        // The cost over time covers every matured decision once.
        Assert.Equal(600, report.Outcomes.CostOverTime.Sum(c => c.Matured));

        // The group figures of the protected attributes the requests sent (all of them here).
        Assert.Equal(Spec.Protected.Select(f => f.Name).Order(), report.Groups.Select(g => g.Attribute).Order());
        Assert.All(report.Groups, g => Assert.Equal(1000, g.Decisions));

        // The cost alert reads the scraped gauges: it fires exactly when the cost is above the nested-CV upper bound.
        var metrics = await ScrapeAsync();
        await AssertAlertsAsync(metrics, "CreditRiskRealisedCostAboveEstimate", cost > Card.NestedCv.Ci95High ? [(null, cost)] : []);

        // Corrected outcomes (a corrected one replaces the first): every matured borrower defaulted. Each approval now
        // costs FN, far above the nested-CV upper bound, and the alert fires.
        foreach (var o in outcomes["outcomes"]!.AsArray())
        {
            o!["defaulted"] = true;
        }

        using (var corrected = await keyed.PostJson("/api/v1/outcomes", outcomes))
        {
            Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        }

        var allBad = await MonitoringAfterAsync();
        var costAllBad = Card.CostFalseNegative * matured.Count(i => results[i].Decision == Decisions.Approve) / matured.Length;
        Assert.Equal(costAllBad, allBad.Outcomes.RealisedCostPerApplicant!.Value, 1e-12);
        Assert.True(allBad.Outcomes.CostAboveNestedCv);
        await AssertAlertsAsync(await ScrapeAsync(), "CreditRiskRealisedCostAboveEstimate", [(null, costAllBad)]);
    }

    private async Task<ScoreResult[]> ScoreAsync(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> applicants)
    {
        var batch = new JsonObject { ["applicants"] = JsonSerializer.SerializeToNode(applicants, Http.Json) };
        using var response = await server.Server.Client.PostJson("/api/v1/score/batch", batch);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!.Results];
    }

    /// <summary>The report computed after this call (the cache refreshes every second): polls until its time is later.</summary>
    private async Task<MonitoringReport> MonitoringAfterAsync()
    {
        var after = DateTimeOffset.UtcNow;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            // The server has a key, so the monitoring report needs it (issue 26).
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/monitoring") { Headers = { { "X-API-Key", MonitoringServer.Key } } };
            using var response = await server.Server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var report = (await response.Content.ReadFromJsonAsync<MonitoringReport>(Http.Json))!;
            if (report.ComputedAt > after)
            {
                return report;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("The monitoring report was not recomputed within 20 s.");
    }

    private async Task<string> ScrapeAsync()
    {
        // A scrape after the report recomputes from the cache, which the last report left fresh or refreshes.
        await Task.Delay(1100);
        return await server.Server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    }

    [GeneratedRegex(@"^(creditrisk_(?:psi|pd_psi|monitoring_window_decisions|matured_outcomes|realised_cost_per_applicant|nested_cv_cost_ci95_high|approval_rate|training_approval_rate|adverse_impact_ratio)\{[^}]*\}) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Gauge();

    private static (string Series, double Value)[] Gauges(string metrics) =>
        [.. Gauge().Matches(metrics).Select(m => (m.Groups[1].Value, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))];

    /// <summary>
    /// The scraped gauges held for an hour as promtool input series, and the expectation that <paramref name="alert"/>
    /// fires at 75 minutes for exactly <paramref name="firing"/> (a feature, or null for a per-model alert, with the
    /// value its summary prints). promtool missing is a failure, never a skip.
    /// </summary>
    private static async Task AssertAlertsAsync(string metrics, string alert, IReadOnlyList<(string? Feature, double Value)> firing)
    {
        Assert.True(File.Exists(Promtool), $"{Promtool} is missing: install Debian's prometheus package (.ci/install.sh)");
        var gauges = Gauges(metrics);
        Assert.Contains(gauges, g => g.Series.StartsWith("creditrisk_monitoring_window_decisions{", StringComparison.Ordinal));
        var version = Card.Monitoring is null ? "" : Regex.Match(metrics, "creditrisk_monitoring_window_decisions\\{version=\"([0-9a-f]+)\"").Groups[1].Value;
        var test = new StringBuilder();
        test.AppendLine($"rule_files:\n  - {Path.Combine(Paths.RepoRoot, "deploy", "prometheus", "alerts.yml")}\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:");
        foreach (var (series, value) in gauges)
        {
            test.AppendLine($"      - series: '{series}'\n        values: '{value.ToString("R", CultureInfo.InvariantCulture)}x90'");
        }

        test.AppendLine($"    alert_rule_test:\n      - eval_time: 75m\n        alertname: {alert}");
        if (firing.Count == 0)
        {
            test.AppendLine("        exp_alerts: []");
        }
        else
        {
            test.AppendLine("        exp_alerts:");
            foreach (var (feature, value) in firing)
            {
                test.AppendLine(feature is null
                    ? $"          - exp_labels: {{ severity: critical, version: '{version}' }}\n            exp_annotations:\n" +
                      $"              summary: 'Realised cost {value.ToString("F3", CultureInfo.InvariantCulture)} per applicant is above the nested-CV upper bound'\n" +
                      $"              description: 'On matured outcomes model {version} costs more than its nested cross-validation allowed (95 % upper bound). Consider retraining or the challenger (docs/monitoring.md).'"
                    : $"          - exp_labels: {{ severity: warning, version: '{version}', feature: {feature} }}\n            exp_annotations:\n" +
                      $"              summary: 'Input {feature} has drifted (PSI {value.ToString("F2", CultureInfo.InvariantCulture)} > 0.25)'\n" +
                      $"              description: 'The live distribution of {feature} for model {version} differs from training. Check the data feed first, then whether the model needs retraining (docs/monitoring.md).'");
            }
        }

        var file = Path.Combine(Directory.CreateTempSubdirectory("creditrisk-promtool-").FullName, "scraped.test.yml");
        await File.WriteAllTextAsync(file, test.ToString());
        using var promtool = Process.Start(new ProcessStartInfo(Promtool, ["test", "rules", file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = promtool.StandardOutput.ReadToEndAsync();
        var stderr = await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        Assert.True(promtool.ExitCode == 0, $"promtool test rules failed:\n{await stdout}\n{stderr}\n--- {file}:\n{test}");
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    private const string Promtool = "/usr/bin/promtool";

    private static Dictionary<string, JsonElement> With(IReadOnlyDictionary<string, JsonElement> applicant, string name, double value) =>
        new(applicant) { [name] = JsonSerializer.SerializeToElement(value) };

    /// <summary>german.data's outcome column (1 good, 2 bad), row by row as <see cref="Applicants"/>.</summary>
    private static bool[] Labels()
    {
        var column = Spec.Source.Columns!.ToList().IndexOf(Spec.Target.Column);
        return [.. File.ReadLines(Path.Combine(Paths.RepoRoot, "data", Spec.Name, Spec.Source.Path))
            .Where(line => line.Trim().Length > 0)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[column] == "2")];
    }
}

/// <summary>The built server on the shipped German model, a 1,000-decision window recomputed every second, on the store a subclass picks.</summary>
public abstract class MonitoringServer : IAsyncLifetime
{
    public const string Key = "monitoring-test-key-0123456789";

    public ServerProcess Server { get; private set; } = null!;

    protected abstract Task<Dictionary<string, string>> StoreSettingsAsync();

    public async Task InitializeAsync()
    {
        var settings = await StoreSettingsAsync();
        settings["Model__Path"] = TestModels.Shipped;
        settings["Monitoring__WindowDecisions"] = "1000";
        settings["Monitoring__RefreshSeconds"] = "1";
        settings["ApiKey__Key"] = Key;
        Server = await ServerProcess.StartAsync(Paths.ServerDll, settings);
    }

    public virtual async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class SqliteMonitoringServer : MonitoringServer
{
    protected override Task<Dictionary<string, string>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string>());
}

public sealed class PostgresMonitoringServer : MonitoringServer
{
    private PostgresServer? _postgres;

    protected override async Task<Dictionary<string, string>> StoreSettingsAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        return new() { ["Records__ConnectionString"] = await _postgres.CreateDatabaseAsync("monitoring") };
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

public sealed class SqliteMonitoringTests(SqliteMonitoringServer server, ITestOutputHelper output)
    : MonitoringContract<SqliteMonitoringServer>(server, output), IClassFixture<SqliteMonitoringServer>;

public sealed class PostgresMonitoringTests(PostgresMonitoringServer server, ITestOutputHelper output)
    : MonitoringContract<PostgresMonitoringServer>(server, output), IClassFixture<PostgresMonitoringServer>;
