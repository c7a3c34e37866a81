using System.Globalization;
using System.Text;
using System.Text.Json;
using CreditRisk.Contracts;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

/// <summary>The page as an analyst meets it on a 1366×900 desktop and a 390×844 phone.</summary>
[Collection(BrowserSuite.Name)]
public sealed class AnalystPageTests(BrowserFixture fixture)
{
    public static TheoryData<int, int> Screens => new() { { 1366, 900 }, { 390, 844 } };

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task After_score_at_the_bottom_of_the_form_the_result_is_in_view_and_has_focus(int width, int height)
    {
        await using var browser = await fixture.OpenAsync(width, height);
        var page = browser.Page;
        await browser.GotoScorePageAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Load example applicant" }).ClickAsync();

        // The analyst scrolls down to the button at the end of the form, as they must, and presses it.
        var score = page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" });
        await score.ScrollIntoViewIfNeededAsync();
        Assert.True(await page.EvaluateAsync<double>("() => window.scrollY") > 0, "the form fits the screen: the test proves nothing");
        await score.ClickAsync();
        await page.Locator("#result").WaitForAsync();
        await page.WaitForFunctionAsync("() => document.activeElement?.id === 'result-heading'");

        var box = await page.EvaluateAsync<double[]>(
            "() => { const r = document.querySelector('#result-heading').getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight]; }");
        Assert.True(box[0] >= 0 && box[1] <= box[2], $"The result heading is at {box[0]}–{box[1]} px of a {box[2]} px viewport.");
        var decision = await page.EvaluateAsync<double[]>(
            "() => { const r = document.querySelector('#decision').getBoundingClientRect(); return [r.top, r.bottom]; }");
        Assert.True(decision[0] >= 0 && decision[1] <= height, $"The decision is at {decision[0]}–{decision[1]} px, outside the {height} px viewport.");

        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, $"score-result-{width}x{height}.png") });
        await AssertAccessibleAsync(page, $"score tab with a result at {width}×{height}");
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task On_a_wide_screen_the_form_uses_the_width_in_columns_without_gaps()
    {
        await using var browser = await fixture.OpenAsync(1366, 900);
        var page = browser.Page;
        await browser.GotoScorePageAsync();

        // The fieldsets flow in columns (no grid rows whose height the tallest fieldset sets).
        var lefts = await page.Locator("#fieldsets fieldset").EvaluateAllAsync<double[]>("els => els.map(e => Math.round(e.getBoundingClientRect().left))");
        Assert.True(lefts.Distinct().Count() >= 2, "The fieldsets are in one column on a 1366 px screen.");
        var used = await page.EvaluateAsync<double>(
            "() => (document.querySelector('.score-layout').getBoundingClientRect().width) / document.documentElement.clientWidth");
        Assert.True(used > 0.9, $"The form and result use {used:P0} of the width.");
        // Each column's fieldsets follow one another with only the margin between them.
        var gaps = await page.Locator("#fieldsets fieldset").EvaluateAllAsync<double[]>(
            """
            els => {
              const boxes = els.map(e => e.getBoundingClientRect());
              const gaps = [];
              for (const b of boxes) {
                const above = boxes.filter(o => Math.round(o.left) === Math.round(b.left) && o.bottom <= b.top);
                if (above.length) gaps.push(b.top - Math.max(...above.map(o => o.bottom)));
              }
              return gaps;
            }
            """);
        Assert.All(gaps, g => Assert.True(g < 40, $"A {g} px gap between fieldsets of a column."));
    }

    [Fact]
    public async Task Labels_hints_and_units_are_plain_words_and_errors_say_what_to_do()
    {
        await using var browser = await fixture.OpenAsync(1366, 900);
        var page = browser.Page;
        await browser.GotoScorePageAsync();
        var spec = fixture.Spec;
        var duration = spec.Find("durationMonths")!;
        var purpose = spec.Find("purpose")!;

        // The unit beside the box and read with it; the hint is the spec's description and the range, not a code.
        Assert.Equal(duration.Unit, await page.Locator("#f-durationMonths-unit").InnerTextAsync());
        Assert.Contains("f-durationMonths-unit", await page.Locator("#f-durationMonths").GetAttributeAsync("aria-describedby"), StringComparison.Ordinal);
        var hint = await page.Locator("#f-durationMonths-hint").InnerTextAsync();
        Assert.Contains(duration.Description!, hint, StringComparison.Ordinal);
        Assert.Contains("Whole number from 1 to 120", hint, StringComparison.Ordinal);
        var options = await page.Locator("#f-checkingAccount option").AllInnerTextsAsync();
        Assert.Equal(spec.Find("checkingAccount")!.Values.Select(v => v.Text), options.Skip(1));
        Assert.DoesNotContain(options, o => o.Contains("<=", StringComparison.Ordinal));

        await page.GetByRole(AriaRole.Button, new() { Name = "Load example applicant" }).ClickAsync();
        await page.Locator("#f-purpose").SelectOptionAsync(new SelectOptionValue { Value = "" });
        await page.Locator("#f-durationMonths").FillAsync("480");
        await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();
        await page.Locator("#form-errors").WaitForAsync();

        Assert.Equal($"Choose a {purpose.Text.ToLowerInvariant()}", await page.Locator("#f-purpose-error").InnerTextAsync());
        Assert.Equal("Enter a whole number from 1 to 120", await page.Locator("#f-durationMonths-error").InnerTextAsync());
        var summary = await page.Locator("#form-errors").InnerTextAsync();
        Assert.DoesNotContain("must be", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("(got", summary, StringComparison.Ordinal);
        await AssertAccessibleAsync(page, "score tab with errors");
    }

    [Fact]
    public async Task A_reject_explains_each_reason_in_points_of_pd_and_an_approval_shows_no_reasons_text()
    {
        var golden = GoldenRows();
        var reject = golden.First(r => r.Decision == Decisions.Reject);
        var approve = golden.First(r => r.Decision == Decisions.Approve);
        var expected = await FormFiller.ScoreViaApiAsync(fixture.Http, reject.Input);
        Assert.NotEmpty(expected.Reasons);

        await using var browser = await fixture.OpenAsync(1366, 900);
        var page = browser.Page;
        await browser.GotoScorePageAsync();

        await FormFiller.FillAsync(page, fixture.Spec, reject.Input);
        await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();
        await page.Locator("#reasons li").First.WaitForAsync();
        var items = await page.Locator("#reasons li").AllInnerTextsAsync();
        Assert.Equal(expected.Reasons.Count, items.Count);
        var first = expected.Reasons[0];
        var label = fixture.Spec.Find(first.Feature)!.Text;
        Assert.StartsWith(label, items[0], StringComparison.Ordinal);
        // Issue 33.6: each reason names the favourable value it was compared with, and the impacts say why they do not add up.
        Assert.All(expected.Reasons.Zip(items), x => Assert.Contains($"(compared with {x.First.ComparedWith})", x.Second, StringComparison.Ordinal));
        Assert.Contains(
            $"PD would fall by {(first.Impact * 100).ToString("F1", CultureInfo.InvariantCulture)} percentage points if this attribute alone took the value {first.ComparedWith}",
            items[0], StringComparison.Ordinal);
        var note = page.Locator("#reasons-note");
        Assert.True(await note.IsVisibleAsync());
        Assert.Contains("do not add up to the PD", await note.InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator("#result").ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "score-reasons-1366x900.png") });

        await FormFiller.FillAsync(page, fixture.Spec, approve.Input);
        await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();
        await page.Locator("#decision", new() { HasText = "Approve" }).WaitForAsync();
        Assert.True(await page.Locator("#reasons-block").IsHiddenAsync());
        Assert.DoesNotContain("No attribute raised", await page.Locator("#result").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task A_semicolon_csv_keeps_its_id_and_note_columns_in_the_table_and_the_download(int width, int height)
    {
        var names = fixture.Spec.Features.Select(f => f.Name).ToList();
        var data = File.ReadLines(Path.Combine(BrowserFixture.RepositoryRoot, "data", "german-credit", "german.data")).Take(6)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(names.Count).ToArray()).ToList();
        // German-locale Excel: ';' between cells; the ids first, a note with the separator inside quotes last.
        var csv = new StringBuilder().Append("applicationId;").Append(string.Join(';', names)).Append(";note\r\n");
        for (var i = 0; i < data.Count; i++)
        {
            csv.Append($"LN-{i + 1:D4};").Append(string.Join(';', data[i])).Append(i == 0 ? ";\"call back; after 5\"" : ";").Append("\r\n");
        }

        await using var browser = await fixture.OpenAsync(width, height);
        var page = browser.Page;
        await browser.GotoScorePageAsync("#batch");
        await page.GetByText("Accepted columns and values").ClickAsync();
        Assert.Contains("A11", await page.Locator("#batch-accepted").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains(fixture.Spec.Find("checkingAccount")!.Values[0].Text, await page.Locator("#batch-accepted").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByLabel("CSV file of applicants").SetInputFilesAsync(new FilePayload { Name = "loans.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Score file" }).ClickAsync();
        await page.Locator("#batch-result").WaitForAsync();

        var headers = await page.Locator("#batch-table thead th").AllInnerTextsAsync();
        Assert.Equal(["Row", "applicationId", "note"], headers.Take(3));
        var rows = page.Locator("#batch-table tbody tr");
        Assert.Equal(data.Count, await rows.CountAsync());
        Assert.Equal("LN-0001", await rows.Nth(0).Locator("td").Nth(0).InnerTextAsync());
        Assert.Equal("call back; after 5", await rows.Nth(0).Locator("td").Nth(1).InnerTextAsync());

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The batch view is {overflow}px wider than the {width}px screen.");
        // The reasons are on screen without scrolling sideways (a card per row on a phone).
        var reasonsRight = await rows.Nth(0).Locator("td").Last.EvaluateAsync<double>("e => e.getBoundingClientRect().right");
        Assert.True(reasonsRight <= width, $"The reasons cell ends at {reasonsRight}px on a {width}px screen.");
        await browser.ScreenshotAsync($"batch-{width}x{height}");
        await AssertAccessibleAsync(page, $"batch tab with results at {width}×{height}");

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Download results as CSV" }).ClickAsync());
        var lines = (await File.ReadAllLinesAsync(await download.PathAsync())).Where(l => l.Length > 0).ToArray();
        Assert.StartsWith("applicationId;" + string.Join(';', names) + ";note;probabilityOfDefault;decision;", lines[0], StringComparison.Ordinal);

        // Issue 33.6: the table shows every reason the server gave (up to four), not the first three.
        // The golden file's data rows are german.data's rows in order, as JSON.
        var golden = GoldenRows();
        var scored = new List<ScoreResult>();
        for (var i = 0; i < data.Count; i++)
        {
            scored.Add(await FormFiller.ScoreViaApiAsync(fixture.Http, golden[i].Input));
        }

        Assert.Contains(scored, r => r.Reasons.Count == Reason.MaxPerReject);
        for (var i = 0; i < scored.Count; i++)
        {
            Assert.Equal(string.Join("; ", scored[i].Reasons.Select(r => r.Text)), await rows.Nth(i).Locator("td").Last.InnerTextAsync());
        }
        Assert.StartsWith("LN-0001;" + string.Join(';', data[0]) + ";\"call back; after 5\";", lines[1], StringComparison.Ordinal);
        Assert.Equal(data.Count + 1, lines.Length);
        Assert.Empty(browser.ConsoleErrors);
    }

    [Theory]
    [MemberData(nameof(Screens))]
    public async Task The_model_tab_renders_the_model_card_and_every_tab_is_free_of_serious_axe_violations(int width, int height)
    {
        await using var browser = await fixture.OpenAsync(width, height);
        var page = browser.Page;
        await browser.GotoScorePageAsync();
        await AssertAccessibleAsync(page, $"score tab at {width}×{height}");
        await page.GotoAsync("/#batch");
        await page.Locator("body[data-ready='true']").WaitForAsync();
        await AssertAccessibleAsync(page, $"batch tab at {width}×{height}");

        await page.GotoAsync("/#model");
        await page.Locator("body[data-ready='true']").WaitForAsync();
        // artifacts/<dataset>/model-card.md, written by the trainer beside the model, starts "# Model card: <title>".
        var heading = page.Locator("#model-card h3").First;
        await heading.WaitForAsync();
        Assert.StartsWith("Model card:", await heading.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#model-card script, #model-card [style]").CountAsync());
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        // Issue 33, finding 9: a contents list of the tab's sections, and the card's "report.md" a link to the report.
        var contents = await page.Locator("#model-contents a").AllInnerTextsAsync();
        Assert.Contains("Fairness", contents);
        Assert.Contains("Training report (report.md)", contents);
        await page.Locator("#model-contents a", new() { HasText = "Fairness" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.activeElement?.id === 'model-card-fairness'");
        var top = await page.Locator("#model-card-fairness").EvaluateAsync<double>("e => e.getBoundingClientRect().top");
        Assert.InRange(top, -1, height / 2.0);
        await page.Locator("#model-card a[data-report-link]").First.ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#model-report-details').open && document.activeElement?.closest('#model-report')");
        var fairness = page.Locator("#model-report-fairness");
        Assert.True(await fairness.IsVisibleAsync(), "the report's Fairness section is not shown");
        Assert.InRange(await fairness.EvaluateAsync<double>("e => e.getBoundingClientRect().top"), -1, height / 2.0);
        await page.EvaluateAsync("() => { document.querySelector('#model-report-details').open = false; window.scrollTo(0, 0); }");
        await browser.ScreenshotAsync($"model-{width}x{height}");
        await AssertAccessibleAsync(page, $"model tab at {width}×{height}");
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task The_markdown_renderer_turns_html_and_script_links_into_plain_text()
    {
        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync();
        // The page's own module (already loaded: import() returns the same instance, start() does not run again).
        var html = await page.EvaluateAsync<string>(
            """
            async () => {
              const { renderMarkdown } = await import('/app.js');
              const hostile = '# Card <img src=x onerror="window.hit=1">\n\n<script>window.hit=2</script>\n\n' +
                '[click](javascript:window.hit=3) and [ok](https://example.org) **bold** `code`\n\n| a | b |\n|---|---|\n| <b>1</b> | 2 |';
              const box = document.createElement('div');
              box.append(...renderMarkdown(hostile, new URL(location.href)));
              document.body.append(box);
              return box.innerHTML;
            }
            """);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("javascript:", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.org/\">ok</a>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"col\">a</th>", html, StringComparison.Ordinal);
        Assert.Null(await page.EvaluateAsync<int?>("() => window.hit ?? null"));
    }

    /// <summary>axe-core in the page: no violation of serious or critical impact.</summary>
    private static async Task AssertAccessibleAsync(IPage page, string where)
    {
        var result = await page.RunAxe();
        var bad = result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Take(3).Select(n => string.Join(" ", n.Target)))})")
            .ToList();
        Assert.True(bad.Count == 0, $"axe on the {where}:\n{string.Join("\n", bad)}");
        Assert.NotEmpty(result.Passes);
    }

    private sealed record GoldenRow(string Kind, Dictionary<string, JsonElement> Input, string Decision);

    private sealed record GoldenFile(List<GoldenRow> Rows);

    private List<GoldenRow> GoldenRows() =>
        JsonSerializer.Deserialize<GoldenFile>(
            File.ReadAllText(Path.Combine(BrowserFixture.RepositoryRoot, "artifacts", fixture.Dataset, "golden.json")),
            JsonSerializerOptions.Web)!.Rows.Where(r => r.Kind == "data").ToList();
}
