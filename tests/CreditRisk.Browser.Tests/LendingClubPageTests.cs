using System.Globalization;
using System.Net.Http.Json;
using CreditRisk.Contracts;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

/// <summary>The page with the Lending Club model: the same code builds another form (reals, a 50-value category, units) from the model.</summary>
[Collection(LendingClubBrowserSuite.Name)]
public sealed class LendingClubPageTests(LendingClubBrowserFixture fixture)
{
    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    [Fact]
    public async Task Every_tab_of_the_lending_club_page_is_free_of_serious_axe_violations()
    {
        await using var browser = await fixture.OpenAsync(1366, 900);
        var page = browser.Page;
        foreach (var tab in new[] { "#score", "#batch", "#model" })
        {
            await browser.GotoScorePageAsync(tab);
            var bad = (await page.RunAxe()).Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Impact} {v.Id}: {v.Help}").ToList();
            Assert.True(bad.Count == 0, $"axe on {tab}:\n{string.Join("\n", bad)}");
        }
    }

    [Fact]
    public async Task The_form_follows_the_lending_club_spec_and_scores_as_the_api_does()
    {
        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync();

        var spec = fixture.Spec;
        Assert.Equal(FormFiller.Legends(spec), await page.Locator("#score-form fieldset legend").AllInnerTextsAsync());
        Assert.Equal(spec.Features.Count, await page.Locator("#fieldsets select, #fieldsets input").CountAsync());
        var state = spec.Features.First(f => f.IsCategory && f.Values.Count >= 50);
        Assert.Equal(state.Values.Count + 1, await page.Locator($"#f-{state.Name} option").CountAsync());
        var real = spec.Features.First(f => f.Kind == FeatureKind.Real);
        Assert.Equal("any", await page.Locator($"#f-{real.Name}").GetAttributeAsync("step"));

        var example = await FormFiller.ExampleAsync(fixture.Http);
        await FormFiller.FillAsync(page, spec, example);
        await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();
        await page.Locator("#result").WaitForAsync();

        var expected = await FormFiller.ScoreViaApiAsync(fixture.Http, example);
        Assert.Equal(expected.Decision == Decisions.Approve ? "Approve" : "Reject", await page.Locator("#decision").InnerTextAsync());
        Assert.Equal((expected.ProbabilityOfDefault * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", await page.Locator("#pd-value").InnerTextAsync());
        // The header and footer say each loan is decided on its own money, not the card's fallback threshold and 5:1.
        var status = await page.Locator("#load-status").InnerTextAsync();
        Assert.Contains(spec.Title, status, StringComparison.Ordinal);
        Assert.Contains("each loan decided on its own money (USD)", status, StringComparison.Ordinal);
        Assert.DoesNotContain("decision threshold", status, StringComparison.Ordinal);
        var footer = await page.Locator("#footer-dataset").InnerTextAsync();
        Assert.Contains("expected profit is positive", footer, StringComparison.Ordinal);
        Assert.DoesNotContain("Cost of approving a defaulter", footer, StringComparison.Ordinal);

        // The money of this loan beside the PD, as the API gives it: its own break-even threshold, dollars, points.
        var money = expected.Money!;
        Assert.Equal(DecisionEconomics.Loan, money.Basis);
        Assert.Equal((expected.Threshold * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", await page.Locator("#pd-threshold").InnerTextAsync());
        string Dollars(double v) => (v < 0 ? "-$" : "$") + Math.Round(Math.Abs(v), MidpointRounding.AwayFromZero).ToString("N0", CultureInfo.InvariantCulture);
        Assert.Equal(Dollars(money.ExpectedProfit!.Value), await page.Locator("#money-profit").InnerTextAsync());
        Assert.Equal(Dollars(money.Loss!.Value), await page.Locator("#money-loss").InnerTextAsync());
        Assert.Equal(Dollars(money.Margin!.Value), await page.Locator("#money-margin").InnerTextAsync());
        Assert.Equal($"{Math.Round(expected.Points!.Value):F0} points (higher is safer)", await page.Locator("#money-points").InnerTextAsync());
        var words = await page.Locator("#money-words").InnerTextAsync();
        Assert.Contains(money.ExpectedProfit >= 0 ? "so it pays to approve" : "so it does not pay to approve", words, StringComparison.Ordinal);
        await browser.ScreenshotAsync("score-lending-club");
        Assert.Empty(browser.ConsoleErrors);
    }

    /// <summary>
    /// Issue 33, findings 5 and 10, per loan: golden rows whose PD is within the borderline band of their own threshold
    /// (and one beyond it) scored through the page: the cost table marks the decision, which is the cheaper expected
    /// cost, and a borderline loan says so with its expected profit.
    /// </summary>
    [Fact]
    public async Task Per_loan_the_cost_table_marks_the_decision_and_a_borderline_loan_says_so()
    {
        using var golden = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(BrowserFixture.RepositoryRoot, "artifacts", "lending-club", "golden.json")));
        var rows = golden.RootElement.GetProperty("rows").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "data" && r.GetProperty("expectedProfit").ValueKind == System.Text.Json.JsonValueKind.Number)
            .ToArray();
        var near = rows.Where(r => Math.Abs(r.GetProperty("pd").GetDouble() - r.GetProperty("threshold").GetDouble()) <= Decisions.BorderlineBand / 2).Take(6)
            .Concat(rows.Where(r => Math.Abs(r.GetProperty("pd").GetDouble() - r.GetProperty("threshold").GetDouble()) > 2 * Decisions.BorderlineBand).Take(1))
            .ToArray();
        Assert.True(near.Length >= 4, $"{near.Length} golden loans near their threshold");

        await using var browser = await fixture.OpenAsync(1366, 900);
        var page = browser.Page;
        await browser.GotoScorePageAsync();
        foreach (var row in near)
        {
            var input = row.GetProperty("input");
            await page.EvaluateAsync("async (json) => { const m = await import('/js/form.js'); m.fillApplicant(JSON.parse(json)); document.querySelector('#decision').textContent = ''; }", input.GetRawText());
            await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();
            await page.WaitForFunctionAsync("() => document.querySelector('#decision').textContent !== ''");
            var expected = await FormFiller.ScoreViaApiAsync(fixture.Http, input.EnumerateObject().ToDictionary(p => p.Name, p => p.Value));
            var decision = await page.Locator("#decision").InnerTextAsync();
            Assert.Equal(expected.Decision == Decisions.Approve ? "Approve" : "Reject", decision);
            var marked = await page.Locator(".costs tr.chosen th").AllInnerTextsAsync();
            Assert.Equal([$"{decision} (the decision)"], marked);
            // Per loan the decision is the cheaper expected cost: approve exactly when its cost is not the higher one.
            Assert.Equal(expected.Decision == Decisions.Approve, expected.ExpectedCost.Approve <= expected.ExpectedCost.Reject);
            Assert.DoesNotContain("(lower)", await page.Locator("#result").InnerTextAsync(), StringComparison.Ordinal);
            var borderline = page.Locator("#borderline");
            Assert.Equal(expected.Borderline, await borderline.IsVisibleAsync());
            if (expected.Borderline)
            {
                Assert.Matches(@"^Borderline: the PD is \d+\.\d+ percentage points (above|below) the threshold of \d+\.\d%.* Its expected profit, -?\$[\d,]+, is small against the \$[\d,]+ at stake\.$",
                    await borderline.InnerTextAsync());
            }
        }

        await browser.ScreenshotAsync("score-lending-club-borderline");
        Assert.Empty(browser.ConsoleErrors);
    }

    /// <summary>
    /// The Monitoring tab shows the money for a loan-basis model: 300 Lending Club loans scored, 200 with their real
    /// outcome posted back; the realised profit per loan the page prints is the report's, in dollars, with its charts.
    /// </summary>
    [Fact]
    public async Task The_monitoring_tab_shows_the_realised_profit_per_loan_in_dollars()
    {
        var golden = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(BrowserFixture.RepositoryRoot, "artifacts", fixture.Dataset, "golden.json")))!["rows"]!.AsArray();
        var applicants = golden.Where(r => (string?)r!["kind"] == "data").Take(300).Select(r => r!["input"]!.DeepClone()).ToArray();
        var bad = File.ReadLines(Path.Combine(BrowserFixture.RepositoryRoot, "data", fixture.Dataset, "lending_club.csv")).Skip(1).Take(300)
            .Select(l => l.Split(',')[^1].Trim('"') == "bad").ToArray();
        using var scored = await fixture.Http.PostAsync(new Uri("api/v1/score/batch", UriKind.Relative), new StringContent(
            new System.Text.Json.Nodes.JsonObject { ["applicants"] = new System.Text.Json.Nodes.JsonArray(applicants) }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        scored.EnsureSuccessStatusCode();
        var results = (await scored.Content.ReadFromJsonAsync<BatchScoreResponse>(Web))!.Results;
        using var keyed = new HttpClient { BaseAddress = fixture.BaseUrl };
        keyed.DefaultRequestHeaders.Add("X-API-Key", BrowserFixture.ApiKey);
        var outcomes = new System.Text.Json.Nodes.JsonObject
        {
            ["outcomes"] = new System.Text.Json.Nodes.JsonArray([.. Enumerable.Range(0, 200).Select(i => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["decisionId"] = results[i].DecisionId!.Value.ToString(),
                ["defaulted"] = bad[i],
                ["observedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            })]),
        };
        using (var posted = await keyed.PostAsync(new Uri("api/v1/outcomes", UriKind.Relative), new StringContent(outcomes.ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
        {
            posted.EnsureSuccessStatusCode();
        }

        await Task.Delay(1100);
        var report = (await keyed.GetFromJsonAsync<MonitoringReport>(new Uri("api/v1/monitoring", UriKind.Relative), Web))!;
        var money = report.Money!;
        Assert.Equal(200, money.Matured);

        await using var browser = await fixture.OpenAsync(1366, 900);
        var page = browser.Page;
        await page.GotoAsync("/#monitoring");
        await page.GetByLabel("API key").FillAsync(BrowserFixture.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the figures" }).ClickAsync();
        await page.Locator("body[data-monitoring='shown']").WaitForAsync();
        var facts = await page.Locator("#monitoring-facts").InnerTextAsync();
        string Dollars(double v) => (v < 0 ? "-$" : "$") + Math.Abs(v).ToString("N2", CultureInfo.InvariantCulture);
        Assert.Matches($@"Realised profit per loan\s+{System.Text.RegularExpressions.Regex.Escape(Dollars(money.RealisedProfitPerLoan!.Value))} per loan on 200 loans", facts);
        Assert.Contains($"the model expected {Dollars(money.ExpectedProfitPerLoan!.Value)}", facts, StringComparison.Ordinal);
        Assert.Contains($"Nested CV: {Dollars(money.NestedCv!.Mean)}", facts, StringComparison.Ordinal);
        Assert.Contains($"{money.ApprovedRepaid} repaid (each earned its margin), {money.ApprovedDefaulted} defaulted", facts, StringComparison.Ordinal);
        var captions = await page.Locator("#monitoring-charts figcaption strong").AllInnerTextsAsync();
        Assert.Contains("Profit per loan by PD band (USD)", captions);
        Assert.Contains("Profit per loan by month of decision (USD)", captions);
        await browser.ScreenshotAsync("monitoring-lending-club");
        var axe = (await page.RunAxe()).Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Impact} {v.Id}: {v.Help}").ToList();
        Assert.True(axe.Count == 0, $"axe on the Lending Club monitoring tab:\n{string.Join("\n", axe)}");
    }

    [Fact]
    public async Task Load_example_fills_every_field_from_the_card()
    {
        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Load example applicant" }).ClickAsync();
        var example = await FormFiller.ExampleAsync(fixture.Http);
        foreach (var (name, value) in example)
        {
            var shown = await page.Locator($"#f-{name}").InputValueAsync();
            Assert.Equal(value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : value.GetRawText(), shown);
        }
    }
}
