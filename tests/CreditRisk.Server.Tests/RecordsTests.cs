using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.Records;
using CreditRisk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CreditRisk.Server.Tests;

/// <summary>
/// Decision records on a real store, the same suite on SQLite (the default file) and on a throwaway PostgreSQL cluster:
/// what is recorded, the decision and outcome endpoints, the API key, retention. The model is a hand-made one over the
/// awkward spec, which has an id, a protected attribute and a real number, so the record is seen to hold every field.
/// </summary>
public abstract class RecordsContract<TApp>(TApp app)
    where TApp : RecordsApp
{
    private readonly HttpClient _client = app.Factory.CreateClient();

    protected TApp App => app;

    private HttpClient Keyed()
    {
        var client = app.Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", RecordsApp.Key);
        return client;
    }

    /// <summary>An observedAt for an outcome of a decision just made: now, to the millisecond the store keeps (an
    /// outcome may not be observed before its decision, nor in the future).</summary>
    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Applicant(int n, string? applicationId)
    {
        var body = JsonSerializer.SerializeToNode(TestModels.SpecApplicant(SpecDrivenTests.AwkwardSpec(), n % 2), Http.Json)!.AsObject();
        body["loanId"] = $"loan-{n}";
        if (applicationId is not null)
        {
            body["applicationId"] = applicationId;
        }

        return body;
    }

    private async Task<ScoreResult> Score(JsonObject body)
    {
        using var response = await _client.PostJson("/api/v1/score", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
    }

    private async Task<DecisionRecord> Get(Guid id)
    {
        using var keyed = Keyed();
        using var response = await keyed.GetAsync(new Uri($"/api/v1/decisions/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DecisionRecord>(Http.Json))!;
    }

    [Fact]
    public async Task Each_decision_is_recorded_with_every_field_sent_protected_and_ids_included()
    {
        var applicationId = "app-" + Guid.NewGuid();
        var body = Applicant(1, applicationId);
        Assert.NotNull(body["gender"]);

        var result = await Score(body);

        Assert.Equal(applicationId, result.ApplicationId);
        var record = await Get(Assert.IsType<Guid>(result.DecisionId));
        Assert.Equal(applicationId, record.ApplicationId);
        Assert.Equal(result.ModelVersion, record.ModelVersion);
        Assert.Equal(result.Threshold, record.Threshold);
        Assert.Equal(result.ProbabilityOfDefault, record.ProbabilityOfDefault);
        Assert.Equal(result.Decision, record.Decision);
        Assert.Equal(result.Reasons, record.Reasons);
        Assert.InRange(record.DecidedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        // Every attribute sent, as the model was fed it (numbers as floats), and nothing else.
        body.Remove("applicationId");
        var stored = JsonNode.Parse(record.Applicant.GetRawText())!.AsObject();
        Assert.Equal(body.Select(p => p.Key).Order(), stored.Select(p => p.Key).Order());
        foreach (var (name, sent) in body)
        {
            var kept = stored[name]!;
            if (sent!.GetValueKind() == JsonValueKind.Number)
            {
                Assert.Equal((float)sent.GetValue<double>(), (float)kept.GetValue<double>());
            }
            else
            {
                Assert.True(JsonNode.DeepEquals(sent, kept), $"{name}: sent {sent.ToJsonString()}, stored {kept.ToJsonString()}");
            }
        }

        // The record is the system of record; the log is not.
        Assert.DoesNotContain(applicationId, app.Factory.Logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_records_one_decision_per_applicant_in_request_order()
    {
        var prefix = "batch-" + Guid.NewGuid();
        var batch = new JsonObject { ["applicants"] = new JsonArray([.. Enumerable.Range(0, 3).Select(i => (JsonNode)Applicant(i, $"{prefix}-{i}"))]) };

        using var response = await _client.PostJson("/api/v1/score/batch", batch);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!.Results;

        Assert.Equal(3, results.Select(r => r.DecisionId).Distinct().Count());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"{prefix}-{i}", results[i].ApplicationId);
            var record = await Get(results[i].DecisionId!.Value);
            Assert.Equal($"{prefix}-{i}", record.ApplicationId);
            Assert.Equal($"loan-{i}", record.Applicant.GetProperty("loanId").GetString());
            Assert.Equal(results[i].ProbabilityOfDefault, record.ProbabilityOfDefault);
        }
    }

    [Fact]
    public async Task The_decision_endpoints_refuse_a_missing_or_wrong_key()
    {
        var id = (await Score(Applicant(2, null))).DecisionId!.Value;
        using var wrong = app.Factory.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-API-Key", RecordsApp.Key + "x");
        var outcome = $$"""{"decisionId":"{{id}}","defaulted":true,"observedAt":"{{Now()}}"}""";

        foreach (var client in new[] { _client, wrong })
        {
            await (await client.GetAsync(new Uri($"/api/v1/decisions/{id}", UriKind.Relative))).AssertProblem(401);
            await (await client.GetAsync(new Uri("/api/v1/decisions", UriKind.Relative))).AssertProblem(401);
            await (await client.PostJson("/api/v1/outcomes", outcome)).AssertProblem(401);
        }

        // Nothing was fed back by the refused posts.
        Assert.Null((await Get(id)).Outcome);
    }

    [Fact]
    public async Task Listing_pages_through_an_application_without_gaps_or_repeats()
    {
        var applicationId = "list-" + Guid.NewGuid();
        var ids = new HashSet<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await Score(Applicant(i, applicationId))).DecisionId!.Value);
        }

        using var keyed = Keyed();
        var seen = new List<Guid>();
        var pages = 0;
        Guid? after = null;
        do
        {
            var url = $"/api/v1/decisions?applicationId={applicationId}&limit=2" + (after is { } a ? $"&after={a}" : "");
            var page = (await keyed.GetFromJsonAsync<DecisionPage>(new Uri(url, UriKind.Relative), Http.Json))!;
            Assert.InRange(page.Items.Count, 1, 2);
            Assert.All(page.Items, r => Assert.Equal(applicationId, r.ApplicationId));
            seen.AddRange(page.Items.Select(r => r.DecisionId));
            after = page.Next;
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(), seen.Order());
        Assert.Equal(seen.Select(g => g.ToString()).Order(StringComparer.Ordinal), seen.Select(g => g.ToString()));

        var later = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        var none = (await keyed.GetFromJsonAsync<DecisionPage>(new Uri($"/api/v1/decisions?applicationId={applicationId}&from={later}", UriKind.Relative), Http.Json))!;
        Assert.Empty(none.Items);

        var bad = await (await keyed.GetAsync(new Uri("/api/v1/decisions?limit=0", UriKind.Relative))).AssertProblem(400);
        Assert.NotEmpty(bad.ErrorsFor("limit"));
    }

    [Fact]
    public async Task Outcomes_join_their_decision_idempotently_and_unknown_ids_get_a_problem_each()
    {
        var applicationId = "outcome-" + Guid.NewGuid();
        var first = (await Score(Applicant(3, applicationId + "-a"))).DecisionId!.Value;
        var second = (await Score(Applicant(4, applicationId + "-b"))).DecisionId!.Value;
        using var keyed = Keyed();

        var observed = Now();
        var byDecision = $$"""{"decisionId":"{{first}}","defaulted":true,"observedAt":"{{observed}}"}""";
        for (var i = 0; i < 2; i++)
        {
            using var posted = await keyed.PostJson("/api/v1/outcomes", byDecision);
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            var result = (await posted.Content.ReadFromJsonAsync<OutcomeResult>(Http.Json))!;
            Assert.Equal(new OutcomeResult(200, first), result);
        }

        var recorded = (await Get(first)).Outcome!;
        Assert.True(recorded.Defaulted);
        Assert.Equal(DateTimeOffset.Parse(observed, System.Globalization.CultureInfo.InvariantCulture), recorded.ObservedAt);

        var unknown = Guid.NewGuid();
        var batch = $$"""{"outcomes":[{"decisionId":"{{unknown}}","defaulted":false,"observedAt":"{{Now()}}"},{"applicationId":"{{applicationId}}-b","defaulted":false,"observedAt":"{{Now()}}"}]}""";
        using (var posted = await keyed.PostJson("/api/v1/outcomes", batch))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            var results = (await posted.Content.ReadFromJsonAsync<OutcomeBatchResponse>(Http.Json))!.Results;
            Assert.Equal(404, results[0].Status);
            Assert.Contains(unknown.ToString(), results[0].Detail, StringComparison.Ordinal);
            Assert.Equal(new OutcomeResult(200, second), results[1]);
        }

        Assert.False((await Get(second)).Outcome!.Defaulted);
        Assert.True((await Get(first)).Outcome!.Defaulted);

        await (await keyed.PostJson("/api/v1/outcomes", $$"""{"decisionId":"{{unknown}}","defaulted":true,"observedAt":"{{Now()}}"}""")).AssertProblem(404);
        var invalid = await (await keyed.PostJson("/api/v1/outcomes", """{"defaulted":"yes","observedAt":"June","extra":1}""")).AssertProblem(400);
        Assert.NotEmpty(invalid.ErrorsFor("defaulted"));
        Assert.NotEmpty(invalid.ErrorsFor("observedAt"));
        Assert.NotEmpty(invalid.ErrorsFor("decisionId"));
        Assert.NotEmpty(invalid.ErrorsFor("extra"));
    }

    [Fact]
    public async Task A_null_id_in_an_outcome_means_not_given_and_exactly_one_id_is_still_required()
    {
        var applicationId = "null-id-" + Guid.NewGuid();
        var id = (await Score(Applicant(12, applicationId))).DecisionId!.Value;
        using var keyed = Keyed();

        // What generated clients send: the id they do not use as null.
        using (var byDecision = await keyed.PostJson("/api/v1/outcomes", $$"""{"decisionId":"{{id}}","applicationId":null,"defaulted":true,"observedAt":"{{Now()}}"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, byDecision.StatusCode);
        }

        using (var batch = await keyed.PostJson("/api/v1/outcomes", $$"""{"outcomes":[{"decisionId":null,"applicationId":"{{applicationId}}","defaulted":false,"observedAt":"{{Now()}}"}]}"""))
        {
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
            Assert.Equal(new OutcomeResult(200, id), (await batch.Content.ReadFromJsonAsync<OutcomeBatchResponse>(Http.Json))!.Results[0]);
        }

        Assert.False((await Get(id)).Outcome!.Defaulted);
        var neither = await (await keyed.PostJson("/api/v1/outcomes", $$"""{"decisionId":null,"applicationId":null,"defaulted":true,"observedAt":"{{Now()}}"}""")).AssertProblem(400);
        Assert.Contains("either decisionId or applicationId", Assert.Single(neither.ErrorsFor("decisionId")), StringComparison.Ordinal);
        var both = await (await keyed.PostJson("/api/v1/outcomes", $$"""{"decisionId":"{{id}}","applicationId":"{{applicationId}}","defaulted":true,"observedAt":"{{Now()}}"}""")).AssertProblem(400);
        Assert.NotEmpty(both.ErrorsFor("applicationId"));
    }

    [Fact]
    public async Task Control_characters_in_any_free_text_field_are_a_400_naming_the_field_and_the_rule()
    {
        foreach (var bad in new[] { "x\u0000y", "tab\there", "\u001b[31mred", "del\u007f" })
        {
            var body = Applicant(6, bad);
            var problem = await (await _client.PostJson("/api/v1/score", body)).AssertProblem(400);
            Assert.Equal([FreeText.Rule], problem.ErrorsFor("applicationId"));

            problem = await (await _client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray(Applicant(7, "fine"), Applicant(8, bad)) })).AssertProblem(400);
            Assert.Equal([FreeText.Rule], problem.ErrorsFor("applicants[1].applicationId"));

            // An id attribute is free text too; it is recorded with the decision.
            body = Applicant(6, null);
            body["loanId"] = bad;
            problem = await (await _client.PostJson("/api/v1/score", body)).AssertProblem(400);
            Assert.Equal([FreeText.Rule], problem.ErrorsFor("loanId"));

            using var keyed = Keyed();
            problem = await (await keyed.PostJson("/api/v1/outcomes", new JsonObject { ["applicationId"] = bad, ["defaulted"] = true, ["observedAt"] = Now() })).AssertProblem(400);
            Assert.Equal([FreeText.Rule], problem.ErrorsFor("applicationId"));
        }

        // The same rule in a CSV batch's id column.
        var row = Applicant(9, null);
        row["loanId"] = "loan\u0001x";
        var csv = string.Join(",", row.Select(p => p.Key)) + "\n" + string.Join(",", row.Select(p => p.Value!.GetValueKind() == JsonValueKind.String ? p.Value.GetValue<string>() : p.Value.ToJsonString())) + "\n";
        using var content = new StringContent(csv, System.Text.Encoding.UTF8, "text/csv");
        var csvProblem = await (await _client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), content)).AssertProblem(400);
        var errors = csvProblem["errors"]!.AsObject();
        var entry = Assert.Single(errors);
        Assert.Contains("loanId", entry.Key, StringComparison.Ordinal);
        Assert.Equal(FreeText.Rule, (string?)entry.Value![0]);
    }

    [Fact]
    public async Task A_record_the_store_refuses_fails_only_its_own_request_while_other_clients_score()
    {
        var poison = await app.PoisonApplicationIdAsync();
        var recorder = app.Factory.Services.GetRequiredService<DecisionRecorder>();
        var model = app.Factory.Services.GetRequiredService<CreditRisk.Server.Model.CreditModel>();
        var features = model.Features.Count;
        var result = new ScoreResult(0.1, Decisions.Approve, 0.5, new ExpectedCost(1, 1), "poison-test", []);
        CreditRisk.Server.Model.ApplicantRow Row(string applicationId) => new(features) { ApplicationId = applicationId };

        // Clients scoring through HTTP the whole time, and bursts straight into the recorder (validation bypassed):
        // each burst is one poison record among good ones, queued together so that they share a group commit.
        using var stop = new CancellationTokenSource();
        var http = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var response = await _client.PostJson("/api/v1/score", Applicant(i, $"bystander-{c}-{i}"));
                statuses.Add(response.StatusCode);
            }

            return statuses;
        })).ToList();

        var refused = 0;
        var good = new List<Guid>();
        for (var round = 0; round < 30; round++)
        {
            var burst = Enumerable.Range(0, 9).Select(i => Task.Run(() => recorder.RecordAsync(model, [Row(i == 4 ? poison : $"good-{round}-{i}")], [result]))).ToList();
            foreach (var (task, i) in burst.Select((t, i) => (t, i)))
            {
                if (i == 4)
                {
                    await Assert.ThrowsAsync<RecordRefusedException>(() => task);
                    refused++;
                }
                else
                {
                    good.Add((await task)[0].DecisionId!.Value);
                }
            }
        }

        await stop.CancelAsync();
        var answered = (await Task.WhenAll(http)).SelectMany(s => s).ToList();
        Assert.Equal(30, refused);
        Assert.True(answered.Count > 30, $"only {answered.Count} bystander requests ran");
        Assert.All(answered, status => Assert.Equal(HttpStatusCode.OK, status));
        foreach (var id in good)
        {
            Assert.NotNull(await app.Factory.Services.GetRequiredService<DecisionStore>().GetAsync(id, CancellationToken.None));
        }

        // The store was never "failing": readiness stayed up.
        using var ready = await _client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task A_corrected_outcome_is_a_new_history_entry_and_the_latest_counts_for_monitoring()
    {
        var scored = await Score(Applicant(10, "history-" + Guid.NewGuid()));
        var id = scored.DecisionId!.Value;
        using var keyed = Keyed();
        var first = Now();
        var corrected = DateTimeOffset.UtcNow.AddMilliseconds(20).ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (defaulted, observed) in new[] { (true, first), (true, first), (false, corrected) })
        {
            using var posted = await keyed.PostJson("/api/v1/outcomes", $$"""{"decisionId":"{{id}}","defaulted":{{(defaulted ? "true" : "false")}},"observedAt":"{{observed}}"}""");
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            await Task.Delay(5);
        }

        var record = await Get(id);
        Assert.False(record.Outcome!.Defaulted);
        Assert.Equal(DateTimeOffset.Parse(corrected, System.Globalization.CultureInfo.InvariantCulture), record.Outcome.ObservedAt);
        var history = record.OutcomeHistory!;
        // The repeated first outcome changed nothing; the correction is a second entry, and the latest is the outcome.
        Assert.Equal([true, false], history.Select(h => h.Defaulted));
        Assert.True(history[1].RecordedAt > history[0].RecordedAt);
        Assert.Equal(record.Outcome, history[^1]);

        // Monitoring reads the latest outcome (this class's decisions are made one at a time: the newest is ours).
        var store = app.Factory.Services.GetRequiredService<DecisionStore>();
        var window = await store.ReadWindowAsync(scored.ModelVersion, 1, record.DecidedAt, CancellationToken.None);
        Assert.False(Assert.Single(window).Defaulted);
    }

    [Fact]
    public async Task ObservedAt_without_an_offset_before_the_decision_or_in_the_future_is_a_400_naming_it()
    {
        var id = (await Score(Applicant(11, null))).DecisionId!.Value;
        var decidedAt = (await Get(id)).DecidedAt;
        using var keyed = Keyed();
        string Body(string observedAt) => $$"""{"decisionId":"{{id}}","defaulted":true,"observedAt":"{{observedAt}}"}""";

        var noOffset = await (await keyed.PostJson("/api/v1/outcomes", Body("2026-06-01T00:00:00"))).AssertProblem(400);
        Assert.Contains("offset", Assert.Single(noOffset.ErrorsFor("observedAt")), StringComparison.Ordinal);
        var dateOnly = await (await keyed.PostJson("/api/v1/outcomes", Body("2099-06-01"))).AssertProblem(400);
        Assert.NotEmpty(dateOnly.ErrorsFor("observedAt"));

        var future = await (await keyed.PostJson("/api/v1/outcomes", Body("9999-12-31T00:00:00Z"))).AssertProblem(400);
        Assert.Contains("future", Assert.Single(future.ErrorsFor("observedAt")), StringComparison.Ordinal);
        var soon = DateTimeOffset.UtcNow.Add(OutcomesModule.MaxClockSkew).AddMinutes(2).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await (await keyed.PostJson("/api/v1/outcomes", Body(soon))).AssertProblem(400);

        var before = decidedAt.AddSeconds(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var early = await (await keyed.PostJson("/api/v1/outcomes", Body(before))).AssertProblem(400);
        Assert.Contains("before the decision", Assert.Single(early.ErrorsFor("observedAt")), StringComparison.Ordinal);
        using (var batch = await keyed.PostJson("/api/v1/outcomes", $$"""{"outcomes":[{{Body(before)}}]}"""))
        {
            var results = (await batch.Content.ReadFromJsonAsync<OutcomeBatchResponse>(Http.Json))!.Results;
            Assert.Equal(400, results[0].Status);
            Assert.Contains("observedAt", results[0].Detail, StringComparison.Ordinal);
        }

        // Nothing of that was stored; a time just within the clock skew is an outcome.
        Assert.Null((await Get(id)).Outcome);
        var skewed = DateTimeOffset.UtcNow.AddMinutes(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        using var ok = await keyed.PostJson("/api/v1/outcomes", Body(skewed));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task The_retention_purge_deletes_decisions_older_than_RetentionDays_with_their_outcomes()
    {
        var result = await Score(Applicant(5, null));
        var id = result.DecisionId!.Value;
        using (var keyed = Keyed())
        {
            using var posted = await keyed.PostJson("/api/v1/outcomes", $$"""{"decisionId":"{{id}}","defaulted":true,"observedAt":"{{Now()}}"}""");
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        var decidedAt = (await Get(id)).DecidedAt;
        var purge = app.Factory.Services.GetRequiredService<RetentionPurge>();

        // RetentionDays is 30: a day before that, the record stays.
        await purge.PurgeAsync(decidedAt.AddDays(29), CancellationToken.None);
        Assert.NotNull((await Get(id)).Outcome);

        Assert.True(await purge.PurgeAsync(decidedAt.AddDays(30).AddSeconds(1), CancellationToken.None) >= 1);
        using var gone = Keyed();
        await (await gone.GetAsync(new Uri($"/api/v1/decisions/{id}", UriKind.Relative))).AssertProblem(404);
        await (await gone.PostJson("/api/v1/outcomes", $$"""{"decisionId":"{{id}}","defaulted":true,"observedAt":"{{Now()}}"}""")).AssertProblem(404);
    }
}

/// <summary>The awkward-spec model with the API key set and a 30-day retention, on the store a subclass picks.</summary>
public abstract class RecordsApp : IAsyncLifetime
{
    public const string Key = "records-test-key-0123456789";

    private static readonly Lazy<string> Model = new(() => TestModels.Write("records-awkward.onnx", TestModels.Tiny(spec: SpecDrivenTests.AwkwardSpec())));

    public AppFactory Factory { get; private set; } = null!;

    protected abstract Task<Dictionary<string, string?>> StoreSettingsAsync();

    /// <summary>An applicationId this store refuses to store (validation would refuse it first; the recorder test
    /// bypasses validation to see what a group commit does with it).</summary>
    public abstract Task<string> PoisonApplicationIdAsync();

    public async Task InitializeAsync()
    {
        var settings = await StoreSettingsAsync();
        settings["Model:Path"] = Model.Value;
        settings["ApiKey:Key"] = Key;
        settings["Records:RetentionDays"] = "30";
        Factory = new AppFactory(settings);
        _ = Factory.Server;
    }

    public virtual Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteRecordsApp : RecordsApp
{
    protected override Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    /// <summary>SQLite stores a NUL without complaint, so the test database gets a trigger that refuses one id
    /// (RAISE(ABORT): SQLITE_CONSTRAINT, as a constraint on the record's data would).</summary>
    public override async Task<string> PoisonApplicationIdAsync()
    {
        const string Poison = "poison-record";
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Factory.DataFolder, "decisions.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE TRIGGER IF NOT EXISTS refuse_poison BEFORE INSERT ON decisions WHEN NEW.application_id = '{Poison}' BEGIN SELECT RAISE(ABORT, 'poison record'); END";
        await command.ExecuteNonQueryAsync();
        return Poison;
    }
}

public sealed class PostgresRecordsApp : RecordsApp
{
    private PostgresServer? _postgres;

    protected override async Task<Dictionary<string, string?>> StoreSettingsAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        return new() { ["Records:ConnectionString"] = await _postgres.CreateDatabaseAsync("records") };
    }

    /// <summary>PostgreSQL's text type cannot hold a NUL (SQLSTATE 22021), the red-team run's finding.</summary>
    public override Task<string> PoisonApplicationIdAsync() => Task.FromResult("x\0y");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

public sealed class SqliteRecordsTests(SqliteRecordsApp app) : RecordsContract<SqliteRecordsApp>(app), IClassFixture<SqliteRecordsApp>
{
    [Fact]
    public void The_default_store_is_one_SQLite_file_in_WAL_mode_in_the_data_folder()
    {
        var folder = App.Factory.DataFolder;
        Assert.True(File.Exists(Path.Combine(folder, "decisions.db")));
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "decisions.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }
}

public sealed class PostgresRecordsTests(PostgresRecordsApp app) : RecordsContract<PostgresRecordsApp>(app), IClassFixture<PostgresRecordsApp>;

/// <summary>The settings around recording: off, a key for scoring, no key configured.</summary>
public sealed class RecordsSettingsTests
{
    [Fact]
    public async Task With_recording_off_responses_carry_no_decision_id_and_nothing_is_stored()
    {
        using var app = new AppFactory(new Dictionary<string, string?> { ["Records:Enabled"] = "false", ["ApiKey:Key"] = RecordsApp.Key });
        using var client = app.CreateClient();
        var body = Http.ApplicantJson();
        body["applicationId"] = "off-1";

        using var response = await client.PostJson("/api/v1/score", body);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(json.ContainsKey("decisionId"));
        Assert.Equal("off-1", (string?)json["applicationId"]);
        Assert.Empty(Directory.GetFiles(app.DataFolder));
        client.DefaultRequestHeaders.Add("X-API-Key", RecordsApp.Key);
        await (await client.GetAsync(new Uri("/api/v1/decisions", UriKind.Relative))).AssertProblem(404);
    }

    [Fact]
    public async Task Scoring_is_open_by_default_and_needs_the_key_when_configured()
    {
        using var open = new AppFactory(new Dictionary<string, string?>());
        using (var client = open.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostJson("/api/v1/score", Http.ApplicantJson())).StatusCode);
            // No key configured: the decision endpoints are closed to everyone.
            await (await client.GetAsync(new Uri("/api/v1/decisions", UriKind.Relative))).AssertProblem(401);
        }

        using var closed = new AppFactory(new Dictionary<string, string?> { ["ApiKey:Key"] = RecordsApp.Key, ["ApiKey:RequiredForScoring"] = "true" });
        using var anonymous = closed.CreateClient();
        await (await anonymous.PostJson("/api/v1/score", Http.ApplicantJson())).AssertProblem(401);
        await (await anonymous.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray(Http.ApplicantJson()) })).AssertProblem(401);
        // The monitoring aggregates follow the scoring rule.
        await (await anonymous.GetAsync(new Uri("/api/v1/monitoring", UriKind.Relative))).AssertProblem(401);
        await (await anonymous.GetAsync(new Uri("/api/v1/monitoring/challenger", UriKind.Relative))).AssertProblem(401);
        using var keyed = closed.CreateClient();
        keyed.DefaultRequestHeaders.Add("X-API-Key", RecordsApp.Key);
        Assert.Equal(HttpStatusCode.OK, (await keyed.PostJson("/api/v1/score", Http.ApplicantJson())).StatusCode);
    }

    [Fact]
    public async Task While_the_store_cannot_commit_scoring_answers_503_with_Retry_After_and_never_200()
    {
        using var app = new AppFactory(new Dictionary<string, string?> { ["Records:CommitTimeoutSeconds"] = "1", ["ApiKey:Key"] = RecordsApp.Key });
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PostJson("/api/v1/score", Http.ApplicantJson())).StatusCode);

        // Another writer holds SQLite's write lock: the commit waits, the request must not be answered 200 meanwhile.
        using (var blocker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(app.DataFolder, "decisions.db")};Pooling=False"))
        {
            blocker.Open();
            using var begin = blocker.CreateCommand();
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();

            using var single = await client.PostJson("/api/v1/score", Http.ApplicantJson());
            await single.AssertProblem(503);
            Assert.Equal("1", single.Headers.RetryAfter?.ToString());
            var batch = await client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray(Http.ApplicantJson(), Http.ApplicantJson()) });
            var problem = await batch.AssertProblem(503);
            Assert.Equal("Decision store unavailable", (string?)problem["title"]);

            using var rollback = blocker.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        using var again = await client.PostJson("/api/v1/score", Http.ApplicantJson());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task A_bad_applicationId_is_a_400_naming_it_and_null_means_not_given()
    {
        using var app = new AppFactory(new Dictionary<string, string?>());
        using var client = app.CreateClient();
        var body = Http.ApplicantJson();
        body["applicationId"] = 42;
        var problem = await (await client.PostJson("/api/v1/score", body)).AssertProblem(400);
        Assert.Equal(["must be a string of 1 to 128 characters (got a number)"], problem.ErrorsFor("applicationId"));

        body["applicationId"] = null;
        using (var unset = await client.PostJson("/api/v1/score", body))
        {
            Assert.Equal(HttpStatusCode.OK, unset.StatusCode);
            Assert.False(JsonNode.Parse(await unset.Content.ReadAsStringAsync())!.AsObject().ContainsKey("applicationId"));
        }

        body["applicationId"] = new string('x', 129);
        var batch = new JsonObject { ["applicants"] = new JsonArray(body) };
        problem = await (await client.PostJson("/api/v1/score/batch", batch)).AssertProblem(400);
        Assert.NotEmpty(problem.ErrorsFor("applicants[0].applicationId"));
    }
}
