using System.Globalization;
using CreditRisk.Contracts;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

/// <summary>The page with the Lending Club model: the same code builds another form (reals, a 50-value category, units) from the model.</summary>
[Collection(LendingClubBrowserSuite.Name)]
public sealed class LendingClubPageTests(LendingClubBrowserFixture fixture)
{
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
        Assert.Equal(FormFiller.Legends(spec), await page.Locator("fieldset legend").AllInnerTextsAsync());
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
        Assert.Contains(spec.Title, await page.Locator("#load-status").InnerTextAsync(), StringComparison.Ordinal);

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
