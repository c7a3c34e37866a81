using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

[Collection(BrowserSuite.Name)]
public sealed partial class SecurityAndSwaggerTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_page_is_served_with_a_csp_without_unsafe_inline_and_needs_none()
    {
        using var response = await fixture.Http.GetAsync(new Uri("/", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var policies),
            "GET / has no Content-Security-Policy header.");
        var policy = string.Join("; ", policies);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));

        // Nothing inline in the markup: every script has a src, no style attributes or elements, no on* handlers.
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotMatch(InlineStyle(), html);
        Assert.DoesNotMatch(InlineHandler(), html);

        // And the browser, enforcing that policy, reports nothing while the page loads, scores and switches views.
        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        var violations = new List<string>();
        await page.ExposeFunctionAsync("reportCspViolation", (string v) => violations.Add(v));
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => window.reportCspViolation(e.violatedDirective + ' ' + e.blockedURI));");
        await browser.GotoScorePageAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Load example applicant" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();
        await page.Locator("#result").WaitForAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Batch (CSV)" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Model", Exact = true }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        Assert.Empty(violations);
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task Swagger_ui_try_it_out_on_post_score_returns_200()
    {
        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await page.GotoAsync("/swagger");

        var operation = page.Locator(".opblock.opblock-post").Filter(new() { Has = page.Locator("[data-path='/api/v1/score']") });
        await operation.Locator(".opblock-summary").First.ClickAsync();
        await operation.GetByRole(AriaRole.Button, new() { Name = "Try it out" }).ClickAsync();
        await operation.Locator("textarea.body-param__text").FillAsync(JsonSerializer.Serialize(await FormFiller.ExampleAsync(fixture.Http), JsonSerializerOptions.Web));
        await operation.GetByRole(AriaRole.Button, new() { Name = "Execute" }).ClickAsync();

        var status = operation.Locator(".live-responses-table .response .response-col_status").First;
        await status.WaitForAsync();
        Assert.Equal("200", (await status.InnerTextAsync()).Trim());
        Assert.Contains("probabilityOfDefault", await operation.Locator(".live-responses-table .response-col_description pre").First.InnerTextAsync(), StringComparison.Ordinal);
        await browser.ScreenshotAsync("swagger-try-it-out");
        Assert.Empty(browser.ConsoleErrors);
    }

    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<style[\s>]|\sstyle\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineStyle();

    [GeneratedRegex(@"<[^>]+\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();
}
