using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

/// <summary>
/// The Monitoring tab on real figures: the German applicants (german.data through its spec) scored by the server, half
/// of them with their real outcome posted back, then the tab drawn from GET /api/v1/monitoring in Chromium.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class MonitoringPageTests(BrowserFixture fixture)
{
    public static TheoryData<int, int> Screens => new() { { 1366, 900 }, { 390, 844 } };

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task The_monitoring_tab_draws_psi_scores_calibration_and_cost_from_real_decisions_and_is_accessible(int width, int height)
    {
        var (applicants, defaulted) = German(fixture.Spec);
        using var scored = await fixture.Http.PostAsync(new Uri("api/v1/score/batch", UriKind.Relative),
            new StringContent(new JsonObject { ["applicants"] = JsonSerializer.SerializeToNode(applicants) }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        scored.EnsureSuccessStatusCode();
        var results = (await scored.Content.ReadFromJsonAsync<BatchScoreResponse>(Json))!.Results;
        using var keyed = new HttpClient { BaseAddress = fixture.BaseUrl };
        keyed.DefaultRequestHeaders.Add("X-API-Key", BrowserFixture.ApiKey);
        var outcomes = new JsonObject
        {
            ["outcomes"] = new JsonArray([.. Enumerable.Range(0, 500).Select(i => (JsonNode)new JsonObject
            {
                ["decisionId"] = results[i].DecisionId!.Value.ToString(),
                ["defaulted"] = defaulted[i],
                ["observedAt"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            })]),
        };
        using (var posted = await keyed.PostAsync(new Uri("api/v1/outcomes", UriKind.Relative), new StringContent(outcomes.ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
        {
            posted.EnsureSuccessStatusCode();
        }

        // The cache refreshes every second: the page must see these decisions.
        await Task.Delay(1100);
        await using var browser = await fixture.OpenAsync(width, height);
        var page = browser.Page;
        await page.GotoAsync("/#monitoring");
        // The server has a key, so monitoring asks for it (issue 26): a wrong one is refused and asked for again.
        await page.GetByLabel("API key").FillAsync("not-the-key-0123456789");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the figures" }).ClickAsync();
        await page.Locator("#monitoring-status", new() { HasText = "That key was refused" }).WaitForAsync();
        await page.GetByLabel("API key").FillAsync(BrowserFixture.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the figures" }).ClickAsync();
        await page.Locator("body[data-monitoring='shown']").WaitForAsync();

        Assert.Matches(@"^\d+ decisions of model [0-9a-f]{12}", await page.Locator("#monitoring-status").InnerTextAsync());
        var facts = await page.Locator("#monitoring-facts").InnerTextAsync();
        Assert.Matches(@"Realised cost per applicant\s+\d\.\d{3} against \d\.\d{3} in nested CV", facts);
        Assert.Contains("Approval rate", facts, StringComparison.Ordinal);
        var captions = await page.Locator("#monitoring-charts figcaption strong").AllInnerTextsAsync();
        Assert.Contains("Population stability (PSI) of each input", captions);
        Assert.Contains("Scores now against training", captions);
        Assert.Contains("Calibration in production", captions);
        Assert.Contains("Realised cost over time", captions);
        // One bar per input in the PSI chart, drawn as SVG.
        Assert.Equal(fixture.Spec.Inputs.Count(), await page.Locator("#monitoring-charts figure").First.Locator("svg rect").CountAsync());
        // The shipped challenger, scored in shadow beside every decision above, with the same outcomes.
        await page.Locator("body[data-challenger='shown']").WaitForAsync();
        var challenger = await page.Locator("#monitoring-challenger").InnerTextAsync();
        Assert.Matches(@"Disagreement rate\s+\d+\.\d% of decisions", challenger);
        Assert.Matches(@"Challenger minus champion\s+[+−]?\d\.\d{3} per applicant, 95% CI", challenger);
        Assert.Contains("Realised cost: champion and challenger", challenger, StringComparison.Ordinal);
        // Issue 33, findings 7 and 9: the challenger is named for what it is (its card calls it an "Ensemble" of one).
        Assert.Matches(@"Challenger\s+LogisticRegression\(", challenger);
        // The groups in the spec's labels with their adverse-impact ratio, the red bars explained; the cost buckets,
        // filled by one batch, numbered by outcome instead of nine identical times.
        var labels = await page.Locator("#monitoring-charts svg .chart-label").AllTextContentsAsync();
        Assert.Contains(labels, l => l.StartsWith("Male, divorced or separated (", StringComparison.Ordinal));
        Assert.DoesNotContain(labels, l => l.Contains("maleDivorced", StringComparison.Ordinal) || l.Contains('…', StringComparison.Ordinal));
        var buckets = await page.Locator("#monitoring-charts figure", new() { HasText = "Realised cost over time" }).Locator("svg .chart-label").AllTextContentsAsync();
        Assert.Equal(buckets.Count, buckets.Distinct().Count());
        Assert.StartsWith("outcomes 1–", buckets[0], StringComparison.Ordinal);
        var sex = page.Locator("#monitoring-charts figure", new() { HasText = "Approval rate by Personal status and sex" });
        Assert.Matches(@"AIR \d\.\d\d", await sex.Locator("svg").TextContentAsync());
        Assert.Contains("red: adverse-impact ratio below 0.8", await page.Locator("#monitoring-charts").InnerTextAsync(), StringComparison.Ordinal);
        // Nothing wider than the screen.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");

        await browser.ScreenshotAsync($"monitoring-{width}x{height}");
        var axe = await page.RunAxe();
        var bad = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))})").ToList();
        Assert.True(bad.Count == 0, $"axe on the monitoring tab at {width}×{height}:\n{string.Join("\n", bad)}");
        // Chromium logs each refused request (the two 401s before a key, one for the wrong key); nothing else.
        Assert.Equal(3, browser.ConsoleErrors.Count(e => e.Contains("401", StringComparison.Ordinal)));
        Assert.DoesNotContain(browser.ConsoleErrors, e => !e.Contains("401", StringComparison.Ordinal));
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>german.data through its spec: request-shaped applicants (ids left out) and whether each defaulted.</summary>
    internal static (List<Dictionary<string, object>> Applicants, bool[] Defaulted) German(DatasetSpec spec)
    {
        var columns = spec.Source.Columns!.ToList();
        var rows = File.ReadLines(Path.Combine(BrowserFixture.RepositoryRoot, "data", spec.Name, spec.Source.Path))
            .Where(line => line.Trim().Length > 0)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToArray();
        var applicants = rows.Select(cells => spec.Features.Where(f => f.Role != FeatureRole.Id).ToDictionary(
            f => f.Name,
            f => f.IsCategory
                ? (object)(f.Resolve(cells[columns.IndexOf(f.CsvColumn)]) ?? throw new InvalidDataException(f.Name))
                : double.Parse(cells[columns.IndexOf(f.CsvColumn)], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        return (applicants, [.. rows.Select(cells => spec.Target.Bad.Contains(cells[columns.IndexOf(spec.Target.Column)]))]);
    }
}
