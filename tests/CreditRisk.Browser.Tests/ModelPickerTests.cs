using System.Globalization;
using System.Net.Http.Json;
using CreditRisk.Contracts;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

/// <summary>Several models served by one process (issue 29): the analyst picks the model, and the page is that model's.</summary>
[Collection(RepositoryBrowserSuite.Name)]
public sealed class ModelPickerTests(RepositoryBrowserFixture fixture)
{
    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    [Fact]
    public async Task The_analyst_picks_lending_club_and_the_form_scores_it_by_name_and_monitoring_shows_its_versions()
    {
        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync();
        var picker = page.GetByLabel("Scoring model");
        Assert.Equal(["german-credit", "lending-club"], await picker.Locator("option").EvaluateAllAsync<string[]>("options => options.map(o => o.value)"));
        Assert.Equal("german-credit", await picker.InputValueAsync());

        await picker.SelectOptionAsync("lending-club");
        // The new URL, polled rather than awaited as a navigation event (which the reload can fire before the wait
        // starts), then the new page's own readiness.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"\?model=lending-club(#|$)"), new() { Timeout = 30_000 });
        await page.Locator("body[data-ready='true']").WaitForAsync();
        Assert.Equal("lending-club", await picker.InputValueAsync());
        var spec = CreditRisk.Contracts.DatasetSpec.Load(Path.Combine(BrowserFixture.RepositoryRoot, "data", "lending-club", "dataset.json"));
        Assert.Equal(spec.Features.Count, await page.Locator("#fieldsets select, #fieldsets input").CountAsync());

        var example = (await fixture.Http.GetFromJsonAsync<ModelInfo>("api/v1/models/lending-club", Web))!.ExampleApplicant;
        await FormFiller.FillAsync(page, spec, example);
        await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();
        await page.Locator("#result").WaitForAsync();
        using var byName = await fixture.Http.PostAsJsonAsync("api/v1/models/lending-club/score", example, Web);
        var expected = (await byName.Content.ReadFromJsonAsync<ScoreResult>(Web))!;
        Assert.Equal((expected.ProbabilityOfDefault * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", await page.Locator("#pd-value").InnerTextAsync());

        // Monitoring is the picked model's: its own report (GET /api/v1/models/lending-club/monitoring), named by model and
        // version, its timeline of versions, and no challenger panel of the default model's.
        await page.GotoAsync("/?model=lending-club#monitoring");
        await page.GetByLabel("API key").FillAsync(BrowserFixture.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the figures" }).ClickAsync();
        await page.Locator("#versions-heading").WaitForAsync();
        var version = (await fixture.Http.GetFromJsonAsync<ModelInfo>("api/v1/models/lending-club", Web))!.Version;
        var status = await page.Locator("#monitoring-status").InnerTextAsync();
        Assert.Matches($@"^\d+ decisions of model {version} \(lending-club, version {version}, the version it serves now;", status);
        Assert.Equal("Versions of lending-club", await page.Locator("#versions-heading").InnerTextAsync());
        Assert.Contains("No challenger shadows lending-club", await page.Locator("#monitoring-challenger").InnerTextAsync(), StringComparison.Ordinal);
        // Lending Club's own figures: its money, which German Credit's report has none of.
        await page.GetByText("Realised profit per loan", new() { Exact = false }).First.WaitForAsync();
        Assert.Equal("none", await page.Locator("body").GetAttributeAsync("data-challenger"));

        // Tab, not the mouse, reaches the picker from the Monitoring tab; axe finds nothing serious on it.
        await page.Locator("#model-picker").FocusAsync();
        Assert.Equal("model-picker", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        var axe = await page.RunAxe();
        var bad = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Impact} {v.Id}: {v.Help}").ToList();
        Assert.True(bad.Count == 0, string.Join("\n", bad));
    }
}
