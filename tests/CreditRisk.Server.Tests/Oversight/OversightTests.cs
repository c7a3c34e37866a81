using System.Net;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.Records;
using Microsoft.Extensions.DependencyInjection;

namespace CreditRisk.Server.Tests;

/// <summary>
/// Human oversight over HTTP on a real store, the same suite on SQLite and on a throwaway PostgreSQL cluster (issue 30):
/// a referred applicant in the queue, a reviewer's decision with its history, an override that keeps the original, the
/// notice built from the stored record, the reviewer keys, and retention that keeps what is under review.
/// </summary>
public abstract class OversightContract<TApp>(TApp app)
    where TApp : OversightApp
{
    protected TApp App => app;

    private async Task<ScoreResult> Score(JsonObject applicant)
    {
        using var client = app.Client();
        using var response = await client.PostJson("/api/v1/score", applicant);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
    }

    private async Task<ReviewRecord> Review(Guid id, string decision, string reason, string key = OversightApp.Alice)
    {
        using var reviewer = app.Client(key);
        using var response = await reviewer.PostJson($"/api/v1/decisions/{id}/review", new JsonObject { ["decision"] = decision, ["reason"] = reason });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ReviewRecord>(Http.Json))!;
    }

    private async Task<List<DecisionRecord>> Queue(string status)
    {
        using var reviewer = app.Client(OversightApp.Bob);
        var items = new List<DecisionRecord>();
        Guid? after = null;
        do
        {
            var page = (await reviewer.GetFromJsonAsync<ReviewQueuePage>($"/api/v1/reviews?status={status}&limit=2" + (after is { } a ? $"&after={a}" : ""), Http.Json))!;
            Assert.True(page.Items.Count <= 2);
            items.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);
        return items;
    }

    [Fact]
    public async Task A_referred_applicant_is_queued_then_a_reviewers_decision_is_recorded_with_its_history()
    {
        var applicant = OversightApp.Applicant(0.001, 0.04);
        var referred = await Score(applicant);
        Assert.Equal(Decisions.Refer, referred.Decision);
        var why = Assert.Single(referred.ReferReasons!);
        Assert.Contains("within 5.0 percentage points of the threshold", why, StringComparison.Ordinal);
        Assert.NotEmpty(referred.Reasons); // a reviewer may decline it, and its notice names these
        var id = referred.DecisionId!.Value;

        var pending = await Queue(ReviewStatus.Pending);
        var queued = Assert.Single(pending, r => r.DecisionId == id);
        Assert.Equal(Decisions.Refer, queued.Decision);
        Assert.Equal(referred.ReferReasons, queued.ReferReasons);
        Assert.Equal(Decisions.Refer, queued.FinalDecision);
        Assert.Equal(pending.OrderBy(r => r.DecisionId).Select(r => r.DecisionId), pending.Select(r => r.DecisionId)); // oldest first

        var review = await Review(id, Decisions.Reject, "Income could not be verified.");
        Assert.Equal(("alice", Decisions.Refer, false), (review.Reviewer, review.Previous, review.Overrides));

        Assert.DoesNotContain(await Queue(ReviewStatus.Pending), r => r.DecisionId == id);
        var reviewed = Assert.Single(await Queue(ReviewStatus.Reviewed), r => r.DecisionId == id);
        Assert.Equal(Decisions.Reject, reviewed.FinalDecision);

        // Bob changes his mind for the lender: an override of alice's review, appended; both stay in the history.
        var second = await Review(id, Decisions.Approve, "Payslips arrived.", OversightApp.Bob);
        Assert.True(second.Overrides);
        using var reviewer = app.Client(OversightApp.Alice);
        var record = (await reviewer.GetFromJsonAsync<DecisionRecord>($"/api/v1/reviews/{id}", Http.Json))!;
        Assert.Equal(Decisions.Refer, record.Decision);
        Assert.Equal(Decisions.Approve, record.FinalDecision);
        Assert.Equal(["alice", "bob"], record.Reviews!.Select(r => r.Reviewer));
        Assert.Equal([Decisions.Reject, Decisions.Approve], record.Reviews!.Select(r => r.Decision));
        Assert.Equal(["Income could not be verified.", "Payslips arrived."], record.Reviews!.Select(r => r.Reason));
        Assert.True(record.Reviews![0].ReviewedAt < record.Reviews[1].ReviewedAt);

        // The records key sees the same history.
        using var keyed = app.Client(OversightApp.Key);
        var audited = (await keyed.GetFromJsonAsync<DecisionRecord>($"/api/v1/decisions/{id}", Http.Json))!;
        Assert.Equal(record.Reviews!.Select(r => r.ReviewId), audited.Reviews!.Select(r => r.ReviewId));
    }

    [Fact]
    public async Task The_notice_of_a_referred_then_declined_application_names_the_records_reasons_and_no_protected_attribute()
    {
        var referred = await Score(OversightApp.Applicant(0.001, 0.04, skip: 4));
        var id = referred.DecisionId!.Value;
        using var reviewer = app.Client(OversightApp.Alice);
        // No adverse action while it is pending.
        await (await reviewer.GetAsync($"/api/v1/decisions/{id}/notice")).AssertProblem(409);
        await Review(id, Decisions.Reject, "Declined after review.");

        var record = (await reviewer.GetFromJsonAsync<DecisionRecord>($"/api/v1/reviews/{id}", Http.Json))!;
        Assert.InRange(record.Reasons.Count, 1, Reason.MaxPerReject);
        using var text = await reviewer.GetAsync($"/api/v1/decisions/{id}/notice?format=text");
        Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
        var plain = await text.Content.ReadAsStringAsync();
        var listed = plain.Split('\n').Where(l => l.Length > 3 && char.IsDigit(l[0]) && l[1] == '.').Select(l => l[3..]).ToArray();
        Assert.Equal(record.Reasons.Select(r => r.Text), listed);
        Assert.Contains("Example Bank", plain, StringComparison.Ordinal);
        Assert.Contains("Equal Credit Opportunity Act", plain, StringComparison.Ordinal);

        using var html = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/decisions/{id}/notice");
        html.Headers.Accept.ParseAdd("text/html");
        using var page = await reviewer.SendAsync(html);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var markup = await page.Content.ReadAsStringAsync();
        var items = System.Text.RegularExpressions.Regex.Matches(markup, "<li>(.*?)</li>").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value));
        Assert.Equal(record.Reasons.Select(r => r.Text), items);

        // No protected attribute: neither its name, label nor the applicant's value, outside the ECOA statement's own words.
        var spec = TestModels.Spec();
        var ecoa = app.Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<NoticeOptions>>().Value.Ecoa;
        Assert.Contains("Equal Credit Opportunity Act", ecoa, StringComparison.Ordinal); // the default, from appsettings.json
        foreach (var notice in new[] { plain.Replace(ecoa, "", StringComparison.Ordinal), System.Net.WebUtility.HtmlDecode(markup).Replace(ecoa, "", StringComparison.Ordinal) })
        {
            Assert.DoesNotContain("Equal Credit Opportunity Act", notice, StringComparison.Ordinal); // the statement was cut out
            // (Values of three letters or fewer, "yes" and "no", are ordinary words a reason may use.)
            foreach (var word in spec.Protected.SelectMany(f => new[] { f.Name, f.Text }.Concat(f.Values.SelectMany(v => new[] { v.Value, v.Text }))).Where(w => w.Length > 3).Append("41"))
            {
                // As a word ("age", not "percentage"); the applicant sent femaleSingle, age 41 and foreignWorker "no".
                Assert.DoesNotMatch($@"(?i)\b{System.Text.RegularExpressions.Regex.Escape(word)}\b", notice);
            }
        }
    }

    [Fact]
    public async Task An_override_of_an_automated_decision_keeps_the_original()
    {
        var approved = await Score(OversightApp.Applicant(-1, -0.10));
        Assert.Equal(Decisions.Approve, approved.Decision);
        Assert.Null(approved.ReferReasons);
        var id = approved.DecisionId!.Value;
        Assert.DoesNotContain(await Queue(ReviewStatus.Pending), r => r.DecisionId == id);

        var review = await Review(id, Decisions.Reject, "Known fraud pattern.");
        Assert.Equal((Decisions.Approve, true), (review.Previous, review.Overrides));

        using var keyed = app.Client(OversightApp.Key);
        var record = (await keyed.GetFromJsonAsync<DecisionRecord>($"/api/v1/decisions/{id}", Http.Json))!;
        Assert.Equal(Decisions.Approve, record.Decision);
        Assert.Equal(approved.ProbabilityOfDefault, record.ProbabilityOfDefault);
        Assert.Equal(Decisions.Reject, record.FinalDecision);
        Assert.Equal(review, Assert.Single(record.Reviews!));
    }

    private async Task<OversightFigures> Oversight()
    {
        // The report is cached for Monitoring:RefreshSeconds (1 s here).
        await Task.Delay(1100);
        using var keyed = app.Client(OversightApp.Key);
        return (await keyed.GetFromJsonAsync<MonitoringReport>("/api/v1/monitoring", Http.Json))!.Oversight!;
    }

    [Fact]
    public async Task Monitoring_counts_refers_and_overrides_and_what_the_overridden_decisions_cost_against_the_models()
    {
        await Score(OversightApp.Applicant(0.001, 0.04, skip: 6)); // one more refer, so the window has oversight to report
        var before = await Oversight();
        var approved = await Score(OversightApp.Applicant(-1, -0.10, skip: 2));
        await Review(approved.DecisionId!.Value, Decisions.Reject, "Employer confirmed redundancy.");
        using (var keyed = app.Client(OversightApp.Key))
        {
            var observed = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(HttpStatusCode.OK, (await keyed.PostJson("/api/v1/outcomes", $$"""{"decisionId":"{{approved.DecisionId}}","defaulted":true,"observedAt":"{{observed}}"}""")).StatusCode);
        }

        var after = await Oversight();
        Assert.Equal(before.Decisions + 1, after.Decisions);
        Assert.Equal(before.Automated + 1, after.Automated);
        Assert.Equal(before.Overridden + 1, after.Overridden);
        Assert.Equal((double)after.Overridden / after.Automated, after.OverrideRate);
        Assert.Equal((double)after.Referred / after.Decisions, after.ReferRate);
        Assert.Equal(after.Decisions, after.Months.Sum(m => m.Decisions));
        Assert.Equal(after.Overridden, after.Months.Sum(m => m.Overridden));
        Assert.Contains(after.Groups, g => g.Attribute == "personalStatusSex" && g.Groups.Any(x => x.Group == "femaleSingle"));
        var overriddenOutcome = Assert.Single(after.Outcomes, o => o.Decision == Decisions.Reject && o.DecidedBy == "reviewer");
        Assert.True(overriddenOutcome.Defaulted >= 1);
        // The one matured override: the reviewer's reject cost nothing; the model's approve would have cost a default (5).
        Assert.Equal(new OverrideCost(1, "cost weights", 0, 5), after.OverrideCost);
    }

    [Fact]
    public async Task Review_endpoints_take_only_a_reviewers_key_and_a_review_names_its_field_when_refused()
    {
        var id = (await Score(OversightApp.Applicant(-1, -0.10))).DecisionId!.Value;
        using (var records = app.Client(OversightApp.Key))
        {
            var problem = await (await records.GetAsync("/api/v1/reviews")).AssertProblem(401);
            Assert.Contains("reviewer", (string?)problem["detail"], StringComparison.Ordinal);
            await (await records.PostJson($"/api/v1/decisions/{id}/review", """{"decision":"reject","reason":"x"}""")).AssertProblem(401);
        }

        using (var reviewer = app.Client(OversightApp.Alice))
        {
            // A reviewer key is not the records key.
            await (await reviewer.GetAsync($"/api/v1/decisions/{id}")).AssertProblem(401);
            var bad = await (await reviewer.PostJson($"/api/v1/decisions/{id}/review", """{"decision":"refer","reason":" ","reviewer":"mallory"}""")).AssertProblem(400);
            Assert.NotEmpty(bad.ErrorsFor("decision"));
            Assert.NotEmpty(bad.ErrorsFor("reason"));
            Assert.NotEmpty(bad.ErrorsFor("reviewer"));
            await (await reviewer.PostJson($"/api/v1/decisions/{Guid.NewGuid()}/review", """{"decision":"reject","reason":"x"}""")).AssertProblem(404);
            Assert.NotEmpty((await (await reviewer.GetAsync("/api/v1/reviews?status=all")).AssertProblem(400)).ErrorsFor("status"));
        }

        // Nothing refused was recorded.
        using var keyed = app.Client(OversightApp.Key);
        Assert.Empty((await keyed.GetFromJsonAsync<DecisionRecord>($"/api/v1/decisions/{id}", Http.Json))!.Reviews!);
    }

    [Fact]
    public async Task A_category_no_training_applicant_had_is_referred_and_says_which()
    {
        var applicant = OversightApp.Applicant(-1, -0.10);
        applicant["purpose"] = "vacation";
        var referred = await Score(applicant);
        Assert.Equal(Decisions.Refer, referred.Decision);
        Assert.Contains(referred.ReferReasons!, r => r.Contains("\"Holiday\"", StringComparison.Ordinal) && r.Contains("training", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reviews_are_append_only_in_the_store_itself()
    {
        var id = (await Score(OversightApp.Applicant(0.001, 0.04, skip: 1))).DecisionId!.Value;
        await Review(id, Decisions.Approve, "Checked by phone.");
        var update = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => app.ExecuteSqlAsync("UPDATE reviews SET decision = 'reject'"));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_never_purges_a_decision_under_review()
    {
        var pending = (await Score(OversightApp.Applicant(0.001, 0.04, skip: 2))).DecisionId!.Value;
        var decided = (await Score(OversightApp.Applicant(0.001, 0.04, skip: 3))).DecisionId!.Value;
        var automated = (await Score(OversightApp.Applicant(-1, -0.10, skip: 1))).DecisionId!.Value;
        await Review(decided, Decisions.Reject, "Too much debt already.");

        // A purge as of far in the future: everything is old enough; only the pending refer stays.
        var purge = app.Factory.Services.GetRequiredService<RetentionPurge>();
        await purge.PurgeAsync(DateTimeOffset.UtcNow.AddDays(800), CancellationToken.None);
        using var keyed = app.Client(OversightApp.Key);
        Assert.Equal(HttpStatusCode.OK, (await keyed.GetAsync($"/api/v1/decisions/{pending}")).StatusCode);
        await (await keyed.GetAsync($"/api/v1/decisions/{decided}")).AssertProblem(404);
        await (await keyed.GetAsync($"/api/v1/decisions/{automated}")).AssertProblem(404);
        Assert.Contains(await Queue(ReviewStatus.Pending), r => r.DecisionId == pending);
    }
}

public sealed class SqliteOversightTests(SqliteOversightApp app) : OversightContract<SqliteOversightApp>(app), IClassFixture<SqliteOversightApp>;

public sealed class PostgresOversightTests(PostgresOversightApp app) : OversightContract<PostgresOversightApp>(app), IClassFixture<PostgresOversightApp>;
