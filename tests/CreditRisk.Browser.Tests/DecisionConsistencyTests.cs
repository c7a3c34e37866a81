using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using Microsoft.Playwright;

namespace CreditRisk.Browser.Tests;

/// <summary>
/// Issue 33, findings 5, 8 and 10: the page never contradicts its own decision, says when a case is borderline, and its
/// CSV download carries the decision id and the reasons.
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class DecisionConsistencyTests(BrowserFixture fixture)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task No_german_applicant_near_the_threshold_gets_a_decision_the_cost_table_contradicts_and_borderline_ones_say_so()
    {
        // All 1,000 training applicants through the API; the page then scores every one whose PD lies between the
        // break-even 1/6 and the threshold (where a cost mark used to contradict the decision) or in the borderline band.
        var (applicants, _) = MonitoringPageTests.German(fixture.Spec);
        using var scored = await fixture.Http.PostAsync(new Uri("api/v1/score/batch", UriKind.Relative),
            new StringContent(new JsonObject { ["applicants"] = JsonSerializer.SerializeToNode(applicants) }.ToJsonString(), Encoding.UTF8, "application/json"));
        scored.EnsureSuccessStatusCode();
        var results = (await scored.Content.ReadFromJsonAsync<BatchScoreResponse>(Json))!.Results;
        // The server's borderline flag is the one definition: PD within Decisions.BorderlineBand of the threshold.
        Assert.All(results, r => Assert.Equal(Math.Abs(r.ProbabilityOfDefault - r.Threshold) <= Decisions.BorderlineBand, r.Borderline));
        var card = await fixture.Http.GetFromJsonAsync<JsonObject>(new Uri("api/v1/model", UriKind.Relative));
        var breakEven = (double)card!["costFalsePositive"]! / ((double)card["costFalsePositive"]! + (double)card["costFalseNegative"]!);
        var near = Enumerable.Range(0, results.Count)
            .Where(i => results[i].Borderline || (results[i].ProbabilityOfDefault > breakEven && results[i].ProbabilityOfDefault <= results[i].Threshold))
            .ToArray();
        var contradicting = near.Count(i => results[i].Decision == Decisions.Approve && results[i].ExpectedCost.Reject < results[i].ExpectedCost.Approve);
        Assert.True(contradicting > 0, "no applicant between the break-even and the threshold: the test proves nothing");

        await using var browser = await fixture.OpenAsync(1366, 900);
        var page = browser.Page;
        await browser.GotoScorePageAsync();
        var problems = new List<string>();
        foreach (var i in near)
        {
            // The page's own fill (the form as the example button fills it), then its Score button.
            await page.EvaluateAsync("async (a) => { const m = await import('/js/form.js'); m.fillApplicant(a); document.querySelector('#decision').textContent = ''; }", applicants[i]);
            await page.GetByRole(AriaRole.Button, new() { Name = "Score applicant" }).ClickAsync();
            await page.WaitForFunctionAsync("() => document.querySelector('#decision').textContent !== ''");
            var shown = await page.EvaluateAsync<JsonElement>(
                """
                () => ({
                  decision: document.querySelector('#decision').textContent,
                  marked: [...document.querySelectorAll('.costs tr.chosen th')].map((th) => th.textContent),
                  table: document.querySelector('.costs').innerText,
                  rule: document.querySelector('#rule-words').hidden ? '' : document.querySelector('#rule-words').textContent,
                  borderline: document.querySelector('#borderline').hidden ? '' : document.querySelector('#borderline').textContent,
                  result: document.querySelector('#result').innerText,
                })
                """);
            var decision = shown.GetProperty("decision").GetString()!;
            var marked = shown.GetProperty("marked").EnumerateArray().Select(e => e.GetString()!).ToArray();
            var rule = shown.GetProperty("rule").GetString()!;
            var borderline = shown.GetProperty("borderline").GetString()!;
            var r = results[i];
            var who = $"applicant {i + 1} (PD {r.ProbabilityOfDefault:P2}, threshold {r.Threshold:P2}, {r.Decision})";
            if (!string.Equals(decision, r.Decision, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{who}: the page says {decision}");
            }

            if (marked.Length != 1 || !marked[0].StartsWith(decision, StringComparison.Ordinal) || !marked[0].Contains("(the decision)", StringComparison.Ordinal))
            {
                problems.Add($"{who}: the cost table marks [{string.Join(", ", marked)}] beside the decision {decision}");
            }

            if (shown.GetProperty("result").GetString()!.Contains("(lower)", StringComparison.Ordinal))
            {
                problems.Add($"{who}: a \"(lower)\" mark");
            }

            var cheaper = r.ExpectedCost.Approve <= r.ExpectedCost.Reject ? Decisions.Approve : Decisions.Reject;
            if (cheaper != r.Decision && !rule.Contains("the decision follows the rule", StringComparison.Ordinal))
            {
                problems.Add($"{who}: the expected costs favour {cheaper} and the page does not say why it decided otherwise ({rule})");
            }

            if (!rule.Contains($"above {r.Threshold * 100:F1}%", StringComparison.Ordinal))
            {
                problems.Add($"{who}: the rule's threshold is not stated ({rule})");
            }

            if (r.Borderline != borderline.StartsWith("Borderline:", StringComparison.Ordinal))
            {
                problems.Add($"{who}: borderline {r.Borderline}, the page says \"{borderline}\"");
            }
        }

        await browser.ScreenshotAsync("score-borderline-1366x900");
        Assert.True(problems.Count == 0, $"{problems.Count} of {near.Length} applicants near the threshold:\n{string.Join("\n", problems)}");
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task The_pages_csv_download_carries_the_decision_id_and_the_reason_text()
    {
        var names = fixture.Spec.Features.Select(f => f.Name).ToList();
        var rows = File.ReadLines(Path.Combine(BrowserFixture.RepositoryRoot, "data", "german-credit", "german.data")).Take(20)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(names.Count).ToArray()).ToList();
        var csv = new StringBuilder().Append(string.Join(',', names)).Append("\r\n");
        foreach (var row in rows)
        {
            csv.Append(string.Join(',', row)).Append("\r\n");
        }

        await using var browser = await fixture.OpenAsync(1366, 900);
        var page = browser.Page;
        await browser.GotoScorePageAsync("#batch");
        await page.GetByLabel("CSV file of applicants").SetInputFilesAsync(new FilePayload { Name = "loans.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Score file" }).ClickAsync();
        await page.Locator("#batch-result").WaitForAsync();
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Download results as CSV" }).ClickAsync());
        var lines = CsvDownloadTests.Parse(await File.ReadAllTextAsync(await download.PathAsync()));

        // The API's own columns (CsvBatch.ResultColumns), the id and the reasons among them.
        var header = lines[0];
        Assert.Equal(names, header.Take(names.Count));
        var id = Array.IndexOf(header, "decisionId");
        var decision = Array.IndexOf(header, "decision");
        var reasons = Array.IndexOf(header, "reasons");
        Assert.True(id > 0 && reasons > 0, $"header: {string.Join(",", header)}");
        Assert.Equal(rows.Count + 1, lines.Count);
        Assert.All(lines.Skip(1), cells => Assert.True(Guid.TryParse(cells[id], out _), $"decisionId '{cells[id]}'"));
        Assert.Contains(lines.Skip(1), cells => cells[decision] == Decisions.Reject);
        // Every reject names its reasons in words (not only their codes), an approve none.
        Assert.All(lines.Skip(1), cells => Assert.Equal(cells[decision] == Decisions.Reject, cells[reasons].Length > 0));
        Assert.All(lines.Skip(1).Where(cells => cells[decision] == Decisions.Reject),
            cells => Assert.Matches(@"^[A-Z][a-z]+[ a-z]", cells[reasons]));
        // The id is the record's: GET /api/v1/decisions/{id} finds it.
        using var keyed = new HttpClient { BaseAddress = fixture.BaseUrl };
        keyed.DefaultRequestHeaders.Add("X-API-Key", BrowserFixture.ApiKey);
        using var record = await keyed.GetAsync(new Uri($"api/v1/decisions/{lines[1][id]}", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, record.StatusCode);
        Assert.Empty(browser.ConsoleErrors);
    }
}
