using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CreditRisk.Contracts;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

[Collection(BrowserSuite.Name)]
public sealed class BatchTests(BrowserFixture fixture)
{
    /// <summary>The card's example and two variations of it.</summary>
    private async Task<List<Dictionary<string, JsonElement>>> ApplicantsAsync()
    {
        var example = await FormFiller.ExampleAsync(fixture.Http);
        Dictionary<string, JsonElement> With(params (string Name, object Value)[] changes)
        {
            var row = new Dictionary<string, JsonElement>(example);
            foreach (var (name, value) in changes)
            {
                row[name] = JsonSerializer.SerializeToElement(value);
            }

            return row;
        }

        return
        [
            With(("purpose", "radioTv")),
            With(("checkingAccount", "none"), ("savings", "1000orMore"), ("durationMonths", 12), ("age", 45)),
            With(("checkingAccount", "0to200"), ("purpose", "newCar"), ("durationMonths", 48), ("creditAmount", 15_000), ("age", 23)),
        ];
    }

    [Fact]
    public async Task Uploading_a_csv_shows_a_results_table_and_downloads_the_scores()
    {
        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync("#batch");
        var applicants = await ApplicantsAsync();

        await page.GetByLabel("CSV file of applicants").SetInputFilesAsync(new FilePayload
        {
            Name = "applicants.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(ToCsv(applicants)),
        });
        // The page posts the file as it is to the server's CSV path (one validation, all or nothing), not JSON chunks.
        var posted = await page.RunAndWaitForRequestAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Score file" }).ClickAsync(),
            r => r.Method == "POST" && r.Url.EndsWith("/api/v1/score/batch", StringComparison.Ordinal));
        // Chromium does not hand a File body to Playwright (PostDataBuffer is null); the downloaded answer below, the
        // file's own columns with the scores appended, shows the server read the file itself.
        Assert.Equal("text/csv", (await posted.HeaderValueAsync("content-type"))?.Split(';')[0]);
        await page.Locator("#batch-result").WaitForAsync();

        var rows = page.Locator("#batch-table tbody tr");
        Assert.Equal(applicants.Count, await rows.CountAsync());
        var expected = await ScoreViaApiAsync(applicants);
        for (var i = 0; i < applicants.Count; i++)
        {
            var cells = await rows.Nth(i).Locator("th, td").AllInnerTextsAsync();
            Assert.Equal((expected.Results[i].ProbabilityOfDefault * 100).ToString("F1", CultureInfo.InvariantCulture) + "%", cells[1]);
            Assert.Equal(expected.Results[i].Decision, cells[2].ToLowerInvariant());
        }

        await browser.ScreenshotAsync("batch-desktop");
        await page.SetViewportSizeAsync(375, 812);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The batch view is {overflow}px wider than a 375px phone screen.");
        await browser.ScreenshotAsync("batch-phone");
        await page.SetViewportSizeAsync(1280, 900);

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Download results as CSV" }).ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var path = await download.PathAsync();
        var lines = (await File.ReadAllLinesAsync(path)).Where(l => l.Length > 0).ToArray();

        Assert.Equal(applicants.Count + 1, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal(fixture.Spec.Features.Select(f => f.Name), header.Take(fixture.Spec.Features.Count));
        var pdColumn = Array.IndexOf(header, "probabilityOfDefault");
        var decisionColumn = Array.IndexOf(header, "decision");
        Assert.True(pdColumn > 0 && decisionColumn > 0, $"Missing result columns in: {lines[0]}");
        for (var i = 0; i < applicants.Count; i++)
        {
            var cells = lines[i + 1].Split(',');
            Assert.Equal(applicants[i]["purpose"].GetString(), cells[Array.IndexOf(header, "purpose")]);
            Assert.Equal(expected.Results[i].ProbabilityOfDefault, double.Parse(cells[pdColumn], CultureInfo.InvariantCulture), 9);
            Assert.Equal(expected.Results[i].Decision, cells[decisionColumn]);
        }

        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task A_bad_cell_is_reported_with_its_row_and_column()
    {
        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync("#batch");

        var csv = ToCsv(await ApplicantsAsync()).Replace(",radioTv,", ",spaceship,", StringComparison.Ordinal);
        await page.GetByLabel("CSV file of applicants").SetInputFilesAsync(new FilePayload
        {
            Name = "bad.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(csv),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Score file" }).ClickAsync();

        var errors = page.Locator("#batch-errors");
        await errors.WaitForAsync();
        var text = await errors.InnerTextAsync();
        Assert.Contains("Row 1", text, StringComparison.Ordinal);
        Assert.Contains("purpose", text, StringComparison.Ordinal);
        Assert.True(await page.Locator("#batch-result").IsHiddenAsync());
    }

    [Fact]
    public async Task A_bad_cell_late_in_a_large_file_scores_nothing_and_names_its_line_and_column()
    {
        // 700 applicants, the 601st with an unknown purpose: the server checks the whole file before scoring any of it
        // (the page used to post 500-row chunks, so the first chunk was scored and recorded before the error).
        var applicants = Enumerable.Repeat((await ApplicantsAsync())[0], 700).ToList();
        var csv = ToCsv(applicants).Split('\n');
        csv[601] = csv[601].Replace(",radioTv,", ",spaceship,", StringComparison.Ordinal);
        var scoredBefore = await ScoredAsync();

        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync("#batch");
        await page.GetByLabel("CSV file of applicants").SetInputFilesAsync(new FilePayload
        {
            Name = "late.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(string.Join('\n', csv)),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Score file" }).ClickAsync();

        var errors = page.Locator("#batch-errors");
        await errors.WaitForAsync();
        var text = await errors.InnerTextAsync();
        Assert.Contains("Row 601 (line 602 of the file), column purpose", text, StringComparison.Ordinal);
        Assert.True(await page.Locator("#batch-result").IsHiddenAsync());
        Assert.Equal(scoredBefore, await ScoredAsync());
    }

    /// <summary>Applicants scored so far by the server, from its metrics.</summary>
    private async Task<double> ScoredAsync()
    {
        var metrics = await fixture.Http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        return System.Text.RegularExpressions.Regex.Matches(metrics, @"^creditrisk_scores_total\{model=""[^""]+"",decision=""\w+""\} (\S+)$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_whole_german_credit_file_in_uci_codes_is_scored_in_one_request()
    {
        // german.data's 1000 rows plus 200 again: more than one server batch (1000 by default), which the server's CSV
        // path scores in chunks; cells as UCI codes.
        var rows = (await File.ReadAllLinesAsync(Path.Combine(BrowserFixture.RepositoryRoot, "data", "german-credit", "german.data")))
            .Where(l => l.Length > 0)
            .Select(l => string.Join(',', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(fixture.Spec.Features.Count)))
            .ToList();
        rows.AddRange(rows.Take(200).ToList());
        var csv = string.Join(',', fixture.Spec.Features.Select(f => f.Name)) + "\n" + string.Join("\n", rows) + "\n";

        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync("#batch");
        await page.GetByLabel("CSV file of applicants").SetInputFilesAsync(new FilePayload
        {
            Name = "german.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(csv),
        });
        var posts = 0;
        page.Request += (_, request) => posts += request.Method == "POST" && request.Url.EndsWith("/api/v1/score/batch", StringComparison.Ordinal) ? 1 : 0;
        await page.GetByRole(AriaRole.Button, new() { Name = "Score file" }).ClickAsync();
        await page.Locator("#batch-result").WaitForAsync(new() { Timeout = 60_000 });
        Assert.Equal(1, posts);

        Assert.Equal(rows.Count, await page.Locator("#batch-table tbody tr").CountAsync());
        Assert.Contains($"{rows.Count} applicants scored", await page.Locator("#batch-summary").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(browser.ConsoleErrors);
    }

    private string ToCsv(IEnumerable<Dictionary<string, JsonElement>> applicants)
    {
        var names = fixture.Spec.Features.Select(f => f.Name).ToList();
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', names));
        foreach (var a in applicants)
        {
            csv.AppendLine(string.Join(',', names.Select(n => !a.TryGetValue(n, out var v) || v.ValueKind == JsonValueKind.Null
                ? ""
                : v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())));
        }

        return csv.ToString();
    }

    private async Task<BatchScoreResponse> ScoreViaApiAsync(List<Dictionary<string, JsonElement>> applicants)
    {
        using var response = await fixture.Http.PostAsJsonAsync("api/v1/score/batch", new { applicants }, JsonSerializerOptions.Web);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<BatchScoreResponse>(JsonSerializerOptions.Web))!;
    }
}
