using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests;

[Collection(AppCollection.Name)]
public sealed class ScoringTests(SharedApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Score_returns_pd_decision_threshold_costs_and_version()
    {
        var response = await _client.PostJson("/api/v1/score", Http.ApplicantJson());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;

        Assert.InRange(result.ProbabilityOfDefault, 0, 1);
        Assert.InRange(result.Threshold, 0, 1);
        Assert.Equal(Decisions.Decide(result.ProbabilityOfDefault, result.Threshold), result.Decision);
        Assert.Equal(5 * result.ProbabilityOfDefault, result.ExpectedCost.Approve, 12);
        Assert.Equal(1 - result.ProbabilityOfDefault, result.ExpectedCost.Reject, 12);
        Assert.Matches("^[0-9a-f]{12}$", result.ModelVersion);
    }

    [Fact]
    public async Task Reject_carries_reason_codes_that_lower_pd_when_fixed()
    {
        var golden = Golden.Load();
        var rejected = golden.Rows.First(r => r.Kind == "data" && r.Decision == Decisions.Reject);
        var response = await _client.PostJson("/api/v1/score", rejected.Input.DeepClone());
        var result = (await response.Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;

        Assert.Equal(Decisions.Reject, result.Decision);
        Assert.InRange(result.Reasons.Count, 1, 4);
        var reference = TestModels.ShippedCard(TestModels.German).ReferenceApplicant;
        Assert.All(result.Reasons, r =>
        {
            var spec = TestModels.Spec();
            var feature = spec.Find(r.Feature)!;
            Assert.Equal(FeatureRole.Feature, feature.Role);
            Assert.Equal(spec.ReasonCode(feature), r.Code);
            Assert.Equal(feature.ReasonText, r.Text);
            Assert.True(r.Impact > 0);
            // Issue 33.6: the favourable value it was compared with, as people read it (a label, a number with its unit).
            Assert.Equal(feature.IsCategory
                ? feature.Values.Single(v => v.Value == reference[r.Feature].GetString()).Text
                : ((float)reference[r.Feature].GetDouble()).ToString("#,0.##", System.Globalization.CultureInfo.InvariantCulture) + (feature.Unit is null ? "" : " " + feature.Unit),
                r.ComparedWith);
        });
        Assert.Equal(result.Reasons.OrderByDescending(r => r.Impact).Select(r => r.Code), result.Reasons.Select(r => r.Code));
    }

    [Fact]
    public async Task Approve_carries_no_reasons()
    {
        var approved = Golden.Load().Rows.First(r => r.Kind == "data" && r.Decision == Decisions.Approve);
        var result = (await (await _client.PostJson("/api/v1/score", approved.Input.DeepClone())).Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
        Assert.Equal(Decisions.Approve, result.Decision);
        Assert.Empty(result.Reasons);
    }

    [Fact]
    public async Task Scores_equal_the_trainers_golden_predictions()
    {
        var golden = Golden.Load();
        Assert.Equal("reject when pd > threshold", golden.Rule);
        await golden.AssertServedBy(_client);
    }

    [Fact]
    public async Task Batch_results_come_in_order_and_match_single_scores()
    {
        // Bit for bit, on enough rows to catch a kernel that sums differently for one row than for many (the
        // shipped model's logistic-regression member did, until the export padded it: trainer/OnnxLinear.cs).
        var rows = Golden.Load().Rows.Where(r => r.Kind == "data").Take(300).ToList();
        var body = new JsonObject { ["applicants"] = new JsonArray([.. rows.Select(r => r.Input.DeepClone())]) };
        var batch = (await (await _client.PostJson("/api/v1/score/batch", body)).Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!;

        for (var i = 0; i < rows.Count; i++)
        {
            var single = (await (await _client.PostJson("/api/v1/score", rows[i].Input.DeepClone())).Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
            // Everything but the decision's own record id.
            Assert.NotEqual(single.DecisionId, batch.Results[i].DecisionId);
            Assert.Equal(JsonSerializer.Serialize(single with { DecisionId = null }), JsonSerializer.Serialize(batch.Results[i] with { DecisionId = null }));
            Assert.Equal(batch.ModelVersion, single.ModelVersion);
        }
    }

    [Fact]
    public async Task Model_endpoint_describes_the_served_model()
    {
        var info = (await _client.GetFromJsonAsync<ModelInfo>("/api/v1/model", Http.Json))!;
        var score = (await (await _client.PostJson("/api/v1/score", Http.ApplicantJson())).Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;

        Assert.Equal(score.ModelVersion, info.Version);
        Assert.Equal(score.Threshold, info.Threshold);
        Assert.Equal(Golden.Load().Threshold, info.Threshold);
        Assert.Equal(CostWeights.FalseNegative, info.CostFalseNegative);
        Assert.Equal(ModelCard.CurrentVersion, info.CardVersion);
        Assert.Equal(TestModels.German, info.Dataset);
        Assert.Equal(TestModels.Spec().Features.Select(f => f.Name), info.Features.Select(f => f.Name));
        Assert.Equal(TestModels.ShippedCard(TestModels.German).ExampleApplicant.Keys, info.ExampleApplicant.Keys);
        Assert.False(string.IsNullOrEmpty(info.Learner));
        // The version is the model's identity (graph and card), the same as the sidecar's.
        Assert.Equal(TestModels.SidecarVersion(TestModels.German), info.Version);
        Assert.Equal(12, info.Version.Length);
        // Provenance: the shipped model was trained from a commit of this repository, and says so.
        Assert.Matches("^[0-9a-f]{40}$", info.TrainingCommit);
        Assert.True(DateTimeOffset.TryParse(info.TrainingCommitDate, System.Globalization.CultureInfo.InvariantCulture, out _), info.TrainingCommitDate);
        Assert.NotNull(info.TrainingTreeDirty);
    }

    [Fact]
    public async Task Health_live_and_ready_answer_healthy()
    {
        Assert.Equal("Healthy", await _client.GetStringAsync("/health/live"));
        Assert.Equal("Healthy", await _client.GetStringAsync("/health/ready"));
    }

    [Fact]
    public async Task Metrics_expose_requests_scores_by_decision_and_model_version()
    {
        await _client.PostJson("/api/v1/score", Http.ApplicantJson());
        var metrics = await _client.GetStringAsync("/metrics");
        Assert.Contains("http_requests_received_total", metrics, StringComparison.Ordinal);
        Assert.Contains("http_request_duration_seconds", metrics, StringComparison.Ordinal);
        Assert.Contains("creditrisk_scores_total{model=\"german-credit\",decision=", metrics, StringComparison.Ordinal);
        Assert.Contains("creditrisk_model_info{model=\"german-credit\",version=", metrics, StringComparison.Ordinal);
        // The route label is the route as documented, without a trailing slash.
        Assert.Contains("endpoint=\"/api/v1/score\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("endpoint=\"/api/v1/score/\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Root_serves_the_page_and_swagger_ui_is_there()
    {
        var page = await _client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var swagger = await _client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, swagger.StatusCode);
    }
}

/// <summary>The trainer's golden predictions (artifacts/&lt;dataset&gt;/golden.json).</summary>
internal sealed record Golden(double Threshold, string Rule, IReadOnlyList<GoldenRow> Rows)
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Golden> Loaded = new();

    public static Golden Load(string dataset = TestModels.German) => Loaded.GetOrAdd(dataset, static d =>
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.RepoRoot, "artifacts", d, "golden.json")))!;
        var rows = json["rows"]!.AsArray()
            .Select(r => new GoldenRow((string)r!["kind"]!, r["input"]!.AsObject(), (double)r["pd"]!, (string)r["decision"]!,
                (double?)r["threshold"], Amount(r["expectedProfit"]), Amount(r["loss"]), Amount(r["margin"]), (double?)r["points"]))
            .ToList();
        return new Golden((double)json["threshold"]!, (string)json["rule"]!, rows);
    });

    // The trainer writes an amount the economics could not give as null (JSON has no NaN).
    private static double? Amount(JsonNode? node) => node is null ? null : (double)node;

    /// <summary>
    /// Every row a REST client can send (training rows, in-contract edges, rows with a missing value; split and unseen
    /// rows are ONNX-only), batch-scored by the server: each PD within 1e-6 of the trainer's, the same decision; and
    /// where the file carries the decision, the same threshold, expected profit, loss and margin as the graph gave the
    /// trainer (float to float), the points within 1e-3. <paramref name="path"/>: the batch route (a named model's, say).
    /// </summary>
    public async Task AssertServedBy(HttpClient client, string path = "/api/v1/score/batch")
    {
        var rows = Rows.Where(r => r.Kind is "data" or "edge" or "missing").ToList();
        Assert.NotEmpty(rows);
        foreach (var chunk in rows.Chunk(500))
        {
            var body = new JsonObject { ["applicants"] = new JsonArray([.. chunk.Select(r => r.Input.DeepClone())]) };
            var response = await client.PostJson(path, body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var batch = (await response.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!;
            Assert.Equal(chunk.Length, batch.Results.Count);
            for (var i = 0; i < chunk.Length; i++)
            {
                Assert.True(Math.Abs(chunk[i].Pd - batch.Results[i].ProbabilityOfDefault) <= 1e-6,
                    $"row {i}: golden {chunk[i].Pd}, served {batch.Results[i].ProbabilityOfDefault}");
                Assert.Equal(chunk[i].Decision, batch.Results[i].Decision);
                if (chunk[i].Threshold is { } threshold)
                {
                    var served = batch.Results[i];
                    Assert.Equal((float)threshold, (float)served.Threshold);
                    Assert.Equal(chunk[i].Loss is null, served.Money!.Basis == DecisionMoney.Fallback);
                    // golden.json's own rule: 1e-5 × (|loss| + |margin|) + 1e-4 × max(1, |expected profit|) (the PDs agree to 1e-6).
                    if (chunk[i].ExpectedProfit is { } expected)
                    {
                        var tolerance = (1e-5 * (Math.Abs(chunk[i].Loss!.Value) + Math.Abs(chunk[i].Margin!.Value))) + (1e-4 * Math.Max(1, Math.Abs(expected)));
                        Assert.True(Math.Abs(expected - served.Money.ExpectedProfit!.Value) <= tolerance, $"row {i}: expected profit {expected} against {served.Money.ExpectedProfit}");
                    }

                    Assert.Equal((float?)chunk[i].Loss, (float?)served.Money.Loss);
                    Assert.Equal((float?)chunk[i].Margin, (float?)served.Money.Margin);
                    Assert.True(Math.Abs(chunk[i].Points!.Value - served.Points!.Value) <= 1e-3, $"row {i}: points {chunk[i].Points} against {served.Points}");
                    // With loan-level economics the decision is the sign of the expected profit, loan by loan. (With constant
                    // costs it is the threshold the trainer chose on cost, not the break-even 1/6: German Credit's is higher.)
                    if (served.Money is { Basis: DecisionEconomics.Loan, ExpectedProfit: { } profit } && Math.Abs(profit) > 1e-3)
                    {
                        Assert.Equal(profit > 0 ? Decisions.Approve : Decisions.Reject, served.Decision);
                    }
                }
            }
        }
    }
}

internal sealed record GoldenRow(
    string Kind, JsonObject Input, double Pd, string Decision, double? Threshold, double? ExpectedProfit, double? Loss, double? Margin, double? Points);
