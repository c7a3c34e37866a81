using System.Globalization;
using System.Text.Json;
using CreditRisk.Contracts;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

[Collection(BrowserSuite.Name)]
public sealed class ScorePageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Filling_the_form_by_its_labels_shows_the_decision_the_api_gives()
    {
        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync();

        var spec = fixture.Spec;
        Assert.Equal(FormFiller.Legends(spec), await page.Locator("#score-form fieldset legend").AllInnerTextsAsync());
        Assert.Equal(spec.Features.Count, await page.Locator("#fieldsets select, #fieldsets input").CountAsync());

        // Fill every attribute as an analyst would: by its label, choosing the values' labels in the dropdowns.
        var applicant = new Dictionary<string, JsonElement>(await FormFiller.ExampleAsync(fixture.Http))
        {
            ["durationMonths"] = JsonSerializer.SerializeToElement(36),
            ["creditAmount"] = JsonSerializer.SerializeToElement(9_000),
            ["age"] = JsonSerializer.SerializeToElement(28),
            ["savings"] = JsonSerializer.SerializeToElement("below100"),
            ["purpose"] = JsonSerializer.SerializeToElement("newCar"),
        };
        await FormFiller.FillAsync(page, spec, applicant);

        await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();
        await page.Locator("#result").WaitForAsync();

        var expected = await FormFiller.ScoreViaApiAsync(fixture.Http, applicant);
        Assert.Equal(expected.Decision == Decisions.Approve ? "Approve" : "Reject", await page.Locator("#decision").InnerTextAsync());
        Assert.Equal(Percent(expected.ProbabilityOfDefault), await page.Locator("#pd-value").InnerTextAsync());
        Assert.Equal(Percent(expected.Threshold), await page.Locator("#pd-threshold").InnerTextAsync());
        Assert.Equal(expected.ExpectedCost.Approve.ToString("F3", CultureInfo.InvariantCulture), await page.Locator("#cost-approve").InnerTextAsync());
        Assert.Equal(expected.ExpectedCost.Reject.ToString("F3", CultureInfo.InvariantCulture), await page.Locator("#cost-reject").InnerTextAsync());
        Assert.Equal(expected.Reasons.Count, await page.Locator("#reasons li").CountAsync());
        Assert.Contains("Probability of default", await page.Locator("#pd-bar").GetAttributeAsync("aria-label"), StringComparison.Ordinal);

        await browser.ScreenshotAsync("score-desktop");
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task A_value_outside_the_range_is_shown_next_to_its_field()
    {
        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Load example applicant" }).ClickAsync();
        // A model input (age is protected now: not an input, so not the field to test a range on).
        var duration = page.GetByLabel(fixture.Spec.Find("durationMonths")!.Text, new() { Exact = true });
        await duration.FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();

        var error = page.Locator("#f-durationMonths-error");
        await error.WaitForAsync();
        Assert.Equal("true", await duration.GetAttributeAsync("aria-invalid"));
        Assert.False(string.IsNullOrWhiteSpace(await error.InnerTextAsync()));
        Assert.Contains("f-durationMonths-error", await duration.GetAttributeAsync("aria-describedby"), StringComparison.Ordinal);
        Assert.True(await page.Locator("#form-errors").IsVisibleAsync());
        Assert.True(await page.Locator("#result").IsHiddenAsync());
        Assert.Equal(1, await page.Locator("[aria-invalid='true']").CountAsync());
        await browser.ScreenshotAsync("score-field-error");

        // Correcting the value clears the error and scores.
        await duration.FillAsync("12");
        Assert.Null(await duration.GetAttributeAsync("aria-invalid"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();
        await page.Locator("#result").WaitForAsync();
    }

    [Fact]
    public async Task At_phone_width_the_page_scores_with_the_keyboard_alone_and_does_not_scroll_sideways()
    {
        await using var browser = await fixture.OpenAsync(375, 812);
        var page = browser.Page;
        await browser.GotoScorePageAsync();

        await TabToAsync(page, "load-example");
        Assert.NotEqual("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Enter");
        await TabToAsync(page, "submit-score");
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#result").WaitForAsync();
        Assert.Matches("^(Approve|Reject)$", await page.Locator("#decision").InnerTextAsync());

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The page is {overflow}px wider than a 375px phone screen.");
        await browser.ScreenshotAsync("score-phone");
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task The_model_panel_shows_version_threshold_and_training_cost()
    {
        using var model = JsonDocument.Parse(await fixture.Http.GetStringAsync("api/v1/model"));
        var root = model.RootElement;

        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Model", Exact = true }).ClickAsync();

        var facts = await page.Locator("#model-facts").InnerTextAsync();
        Assert.Contains(root.GetProperty("version").GetString()!, facts, StringComparison.Ordinal);
        Assert.Contains(Percent(root.GetProperty("threshold").GetDouble()), facts, StringComparison.Ordinal);
        var cv = root.GetProperty("nestedCv");
        Assert.Contains(cv.GetProperty("costPerApplicant").GetDouble().ToString("F3", CultureInfo.InvariantCulture), facts, StringComparison.Ordinal);
        Assert.Contains(cv.GetProperty("ci95Low").GetDouble().ToString("F3", CultureInfo.InvariantCulture), facts, StringComparison.Ordinal);
        Assert.Contains(cv.GetProperty("auc").GetDouble().ToString("F3", CultureInfo.InvariantCulture), facts, StringComparison.Ordinal);
        Assert.Contains(root.GetProperty("trainingCommit").GetString()![..12], facts, StringComparison.Ordinal);

        // The server ships the training report and its charts (artifacts/<dataset>/report.md, *.png); the panel shows them.
        using var report = await fixture.Http.GetAsync(new Uri($"artifacts/{fixture.Dataset}/report.md", UriKind.Relative));
        Assert.True(report.IsSuccessStatusCode, $"GET artifacts/{fixture.Dataset}/report.md answered {(int)report.StatusCode}");
        await page.Locator("#charts img").First.WaitForAsync();
        // The charts load lazily (the report has four): bring each into view, as a reader scrolling the tab would.
        foreach (var chart in await page.Locator("#charts img").AllAsync())
        {
            await chart.ScrollIntoViewIfNeededAsync();
        }

        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.True(await page.EvaluateAsync<bool>("() => [...document.querySelectorAll('#charts img')].every(i => i.complete && i.naturalWidth > 0)"),
            "A chart of the training report did not load.");

        await browser.ScreenshotAsync("model-desktop");
        Assert.Empty(browser.ConsoleErrors);
    }

    private static string Percent(double p) => (p * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static async Task TabToAsync(IPage page, string id)
    {
        for (var i = 0; i < 80; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string?>("() => document.activeElement?.id") == id)
            {
                return;
            }
        }

        Assert.Fail($"#{id} cannot be reached with the Tab key.");
    }
}
