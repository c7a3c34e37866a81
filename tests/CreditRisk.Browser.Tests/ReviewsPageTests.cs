using System.Net.Http.Json;
using System.Text.Json;
using CreditRisk.Contracts;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

/// <summary>German Credit with referral on (a 5-point PD band) and a reviewer key: the Reviews tab's server.</summary>
public sealed class ReviewsBrowserFixture : BrowserFixture
{
    public const string ReviewerKey = "carol-reviewer-key-0123456789";

    public override string? Challenger => null;

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Refer:Band"] = "0.05",
        ["ApiKey:Reviewers:carol"] = ReviewerKey,
        ["Notice:LenderName"] = "Example Bank",
        ["Notice:LenderContact"] = "1 Main Street, Springfield",
    };
}

[CollectionDefinition(Name)]
public sealed class ReviewsBrowserSuite : ICollectionFixture<ReviewsBrowserFixture>
{
    public const string Name = "reviews-browser";
}

/// <summary>
/// The Reviews tab (issue 30) in Chromium on real referred decisions: the queue, one application, a decline with a
/// reason recorded and shown in its history, and the notice with the record's reasons; keyboard only, axe-clean, at a
/// laptop's and a phone's size; the reviewer key never reaches the page's storage.
/// </summary>
[Collection(ReviewsBrowserSuite.Name)]
public sealed class ReviewsPageTests(ReviewsBrowserFixture fixture)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static TheoryData<int, int> Screens => new() { { 1366, 900 }, { 390, 844 } };

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task A_reviewer_declines_a_referred_application_from_the_queue_and_reads_its_notice_by_keyboard(int width, int height)
    {
        // German applicants through the server: with the band on, some are referred.
        var (applicants, _) = MonitoringPageTests.German(fixture.Spec);
        using var scored = await fixture.Http.PostAsJsonAsync(new Uri("api/v1/score/batch", UriKind.Relative), new { applicants = applicants.Take(60) });
        scored.EnsureSuccessStatusCode();
        var referred = (await scored.Content.ReadFromJsonAsync<BatchScoreResponse>(Json))!.Results.Where(r => r.Decision == Decisions.Refer).ToList();
        Assert.NotEmpty(referred);

        await using var browser = await fixture.OpenAsync(width, height);
        var page = browser.Page;
        await browser.GotoScorePageAsync("#reviews");
        await page.GetByLabel("Reviewer key").FillAsync(ReviewsBrowserFixture.ReviewerKey);
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("body[data-reviews='queue']").WaitForAsync();
        Assert.Matches(@"^\d+\+? applications? waiting for review\.$", await page.Locator("#reviews-status").InnerTextAsync());

        // The oldest pending one is first; open it with the keyboard.
        var open = page.GetByRole(AriaRole.Button, new() { Name = "Open application" }).First;
        await open.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("body[data-reviews='open']").WaitForAsync();
        var heading = await page.Locator("#review-heading").InnerTextAsync();
        var id = Guid.Parse(heading["Application ".Length..]);
        using var reviewer = new HttpClient { BaseAddress = fixture.BaseUrl };
        reviewer.DefaultRequestHeaders.Add("X-API-Key", ReviewsBrowserFixture.ReviewerKey);
        var record = (await reviewer.GetFromJsonAsync<DecisionRecord>(new Uri($"api/v1/reviews/{id}", UriKind.Relative), Json))!;
        Assert.Equal(Decisions.Refer, record.Decision);
        var facts = await page.Locator("#review-facts").InnerTextAsync();
        Assert.Contains($"{record.ProbabilityOfDefault * 100:0.0}%", facts, StringComparison.Ordinal);
        var detail = await page.Locator("#review-detail").InnerTextAsync();
        Assert.Contains(record.ReferReasons![0], detail, StringComparison.Ordinal);
        Assert.All(record.Reasons, r => Assert.Contains(r.Text, detail, StringComparison.Ordinal));
        Assert.Contains(fixture.Spec.Find("durationMonths")!.Text, detail, StringComparison.Ordinal);

        // Decline with a reason, by keyboard: the radio, the reason, submit.
        await page.GetByRole(AriaRole.Radio, new() { Name = "Decline" }).FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.GetByLabel("Reason (kept with your decision)").FocusAsync();
        await page.Keyboard.TypeAsync("Income could not be verified.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record decision" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("body[data-reviews='recorded']").WaitForAsync();
        Assert.Equal("Recorded: carol decided to decline.", await page.Locator("#reviews-status").InnerTextAsync());
        Assert.Contains("carol, reject: Income could not be verified.", await page.Locator("#review-detail .history").InnerTextAsync(), StringComparison.Ordinal);

        // The notice: the record's reasons, numbered, in the spec's words.
        var notice = await page.Locator("#review-notice").InnerTextAsync();
        Assert.Contains("Example Bank", notice, StringComparison.Ordinal);
        Assert.Equal(record.Reasons.Select((r, i) => $"{i + 1}. {r.Text}"), notice.Split('\n').Where(l => l.Length > 2 && char.IsDigit(l[0]) && l[1] == '.'));
        // It left the queue.
        Assert.Equal(0, await page.Locator("#reviews-table tbody tr", new() { HasText = id.ToString() }).CountAsync());

        // The key lives in memory only.
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        await browser.ScreenshotAsync($"reviews-{width}x{height}");
        var axe = await page.RunAxe();
        var bad = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))})").ToList();
        Assert.True(bad.Count == 0, $"axe on the reviews tab at {width}×{height}:\n{string.Join("\n", bad)}");
        Assert.Empty(browser.ConsoleErrors);
    }
}
