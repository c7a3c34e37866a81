using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

/// <summary>
/// Issue 33, finding 7: with fewer outcomes than Monitoring:MinOutcomes the Monitoring tab shows no outcome figure as
/// fact (nor the challenger's interval), and the group figures use the spec's labels, show the adverse-impact ratio,
/// suppress a small group and explain the red bars. Its own server (a fresh decision store), since the shared one
/// gathers hundreds of outcomes from the other monitoring test.
/// </summary>
[Collection(FewOutcomesSuite.Name)]
public sealed class FewOutcomesTests(FewOutcomesFixture fixture)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Below_the_minimum_outcomes_the_monitoring_tab_says_too_few_instead_of_a_figure()
    {
        var (applicants, defaulted) = MonitoringPageTests.German(fixture.Spec);
        // 60 real applicants; one of them also sent as the only divorced man, a group of one.
        var sent = applicants.Take(60).ToList();
        sent.Add(new Dictionary<string, object>(applicants[60]) { ["personalStatusSex"] = "maleDivorced" });
        for (var i = 0; i < 60; i++)
        {
            if ((string)sent[i]["personalStatusSex"] == "maleDivorced")
            {
                sent[i]["personalStatusSex"] = "maleSingle";
            }
        }

        using var scored = await fixture.Http.PostAsync(new Uri("api/v1/score/batch", UriKind.Relative),
            new StringContent(new JsonObject { ["applicants"] = JsonSerializer.SerializeToNode(sent) }.ToJsonString(), Encoding.UTF8, "application/json"));
        scored.EnsureSuccessStatusCode();
        var results = (await scored.Content.ReadFromJsonAsync<BatchScoreResponse>(Json))!.Results;
        using var keyed = new HttpClient { BaseAddress = fixture.BaseUrl };
        keyed.DefaultRequestHeaders.Add("X-API-Key", BrowserFixture.ApiKey);
        // Two outcomes: the analyst's case, "0.000 against 0.550" and "95 % CI 0.000 to 0.000".
        var outcomes = new JsonArray([.. Enumerable.Range(0, 2).Select(i => (JsonNode)new JsonObject
        {
            ["decisionId"] = results[i].DecisionId!.Value.ToString(),
            ["defaulted"] = defaulted[i],
            ["observedAt"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        })]);
        using (var posted = await keyed.PostAsync(new Uri("api/v1/outcomes", UriKind.Relative), new StringContent(new JsonObject { ["outcomes"] = outcomes }.ToJsonString(), Encoding.UTF8, "application/json")))
        {
            posted.EnsureSuccessStatusCode();
        }

        var report = await keyed.GetFromJsonAsync<JsonObject>(new Uri("api/v1/monitoring", UriKind.Relative));
        var minimum = (int)report!["minOutcomes"]!;
        Assert.True(minimum > 2, $"minOutcomes {minimum}");
        await Task.Delay(1100);

        await using var browser = await fixture.OpenAsync(1366, 900);
        var page = browser.Page;
        await page.GotoAsync("/#monitoring");
        await page.GetByLabel("API key").FillAsync(BrowserFixture.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the figures" }).ClickAsync();
        await page.Locator("body[data-monitoring='shown']").WaitForAsync();
        await page.Locator("body[data-challenger='shown']").WaitForAsync();

        var facts = await page.Locator("#monitoring-facts").InnerTextAsync();
        Assert.Matches(@"Outcomes fed back\s+2 of the 61 decisions", facts);
        Assert.Matches($@"Realised cost per applicant\s+too few outcomes \(2 of the {minimum} needed", facts);
        Assert.DoesNotMatch(@"\d\.\d{3} against", facts);
        Assert.DoesNotMatch(@"AUC on outcomes\s+\d", facts);
        var captions = await page.Locator("#monitoring-charts figcaption strong").AllInnerTextsAsync();
        Assert.DoesNotContain("Calibration in production", captions);
        Assert.DoesNotContain("Realised cost over time", captions);
        var challenger = await page.Locator("#monitoring-challenger").InnerTextAsync();
        Assert.DoesNotContain("95% CI", challenger, StringComparison.Ordinal);
        Assert.DoesNotContain("Realised cost: champion and challenger", challenger, StringComparison.Ordinal);
        Assert.Matches(@"Challenger\s+LogisticRegression", challenger);

        // Groups: the spec's labels, never the API's values; the small group suppressed; the ratio shown; red explained.
        var labels = await page.Locator("#monitoring-charts svg .chart-label").AllTextContentsAsync();
        foreach (var value in fixture.Spec.Find("personalStatusSex")!.Values)
        {
            Assert.DoesNotContain(labels, l => l.Contains(value.Value, StringComparison.Ordinal));
        }

        Assert.Contains(labels, l => l.StartsWith("Male, single (", StringComparison.Ordinal));
        Assert.DoesNotContain(labels, l => l.Contains('…', StringComparison.Ordinal));
        var sex = page.Locator("#monitoring-charts figure", new() { HasText = "Approval rate by Personal status and sex" });
        Assert.Contains("suppressed: fewer than", await sex.Locator("svg").TextContentAsync(), StringComparison.Ordinal);
        Assert.Matches(@"AIR \d\.\d\d", await sex.Locator("svg").TextContentAsync());
        // Every chart with a red bar says what red means.
        var unexplained = await page.Locator("#monitoring-charts figure").EvaluateAllAsync<string[]>(
            "figs => figs.filter((f) => f.querySelector('svg .bar-alert') && !/red: /.test(f.querySelector('.legend')?.textContent ?? '')).map((f) => f.querySelector('figcaption strong').textContent)");
        Assert.Empty(unexplained);
        Assert.True(await page.Locator("#monitoring-charts svg .bar-alert").CountAsync() > 0, "no red bar: the legend check proves nothing");

        await browser.ScreenshotAsync("monitoring-few-outcomes-1366x900");
        var axe = await page.RunAxe();
        var bad = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Impact} {v.Id}: {v.Help}").ToList();
        Assert.True(bad.Count == 0, string.Join("\n", bad));
        Assert.DoesNotContain(browser.ConsoleErrors, e => !e.Contains("401", StringComparison.Ordinal));
    }
}

/// <summary>The German server and challenger of <see cref="BrowserFixture"/>, with a decision store of its own.</summary>
public sealed class FewOutcomesFixture : BrowserFixture;

[CollectionDefinition(Name)]
public sealed class FewOutcomesSuite : ICollectionFixture<FewOutcomesFixture>
{
    public const string Name = "browser-few-outcomes";
}
