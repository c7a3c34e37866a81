using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using V2 = global::Inference;

namespace CreditRisk.Server.Tests;

/// <summary>
/// The refer rule (issue 30): its band at the edges, on the real shipped models, in PD (German Credit, constant costs) and
/// in money (Lending Club, loan-level economics); off by default.
/// </summary>
public sealed class ReferBandTests
{
    private static ReferRule Rule(string dataset, double? band) =>
        new(new CreditModel(TestModels.ShippedModel(dataset)), Options.Create(new ReferOptions { Band = band }));

    [Fact]
    public void In_PD_the_band_includes_its_edges_and_nothing_beyond()
    {
        // Binary fractions, so threshold ± band is exact and the edge is the edge.
        var rule = Rule(TestModels.German, 0.125);
        var row = new ApplicantRow(TestModels.Spec().Features.Count);
        var graph = new GraphDecision(0.25f, true, 0, 1, 5);
        Assert.NotNull(rule.Why(row, 0.375, graph));
        Assert.NotNull(rule.Why(row, 0.125, graph));
        Assert.NotNull(rule.Why(row, 0.25, graph));
        Assert.Null(rule.Why(row, Math.BitIncrement(0.375), graph));
        Assert.Null(rule.Why(row, 0.125 - 1e-12, graph)); // (one ulp below 0.125 is still 0.125 away from 0.25 once rounded)
        Assert.Equal("The probability of default (37.5 %) is within 12.5 percentage points of the threshold (25.0 %).", Assert.Single(rule.Why(row, 0.375, graph)!));
    }

    [Fact]
    public void In_money_the_band_is_on_the_expected_profit_with_its_edges_and_never_on_a_loan_without_economics()
    {
        var rule = Rule(TestModels.LendingClub, 50);
        var row = new ApplicantRow(TestModels.Spec(TestModels.LendingClub).Features.Count);
        GraphDecision Profit(float profit) => new(0.3f, profit >= 0, profit, 1000, 400);
        Assert.NotNull(rule.Why(row, 0.3, Profit(50)));
        Assert.NotNull(rule.Why(row, 0.3, Profit(-50)));
        Assert.NotNull(rule.Why(row, 0.3, Profit(0)));
        Assert.Null(rule.Why(row, 0.3, Profit(MathF.BitIncrement(50))));
        Assert.Null(rule.Why(row, 0.3, Profit(MathF.BitDecrement(-50))));
        Assert.Null(rule.Why(row, 0.3, Profit(float.NaN))); // fallback: no money to be near break-even with
        // The PD's distance is not the rule here: a PD at the threshold with a large profit is decided by the model.
        Assert.Null(rule.Why(row, 0.3, Profit(5000)));
        Assert.Equal("The expected profit of approving (USD -50.00) is within USD 50.00 of break-even.", Assert.Single(rule.Why(row, 0.3, Profit(-50))!));
    }

    [Fact]
    public void A_number_outside_the_training_range_is_referred_in_words_and_its_edges_are_not()
    {
        using var model = new CreditModel(TestModels.Shipped);
        var rule = new ReferRule(model, Options.Create(new ReferOptions { OutsideTrainingRange = true }));
        Assert.True(rule.Enabled);
        var example = TestModels.ShippedCard(TestModels.German).ExampleApplicant;
        IReadOnlyList<string>? Why(double duration)
        {
            var applicant = new Dictionary<string, System.Text.Json.JsonElement>(example) { ["durationMonths"] = System.Text.Json.JsonSerializer.SerializeToElement(duration) };
            return rule.Why(model.ReadRow("applicant", applicant), 0.5, new GraphDecision(0.17f, false, 0, 5, 1));
        }

        // German Credit's durations run from 4 to 72 months (the trainer's trainingRanges): the edges are inside.
        Assert.Null(Why(4));
        Assert.Null(Why(72));
        Assert.Equal("Loan duration: 73 is outside the training data's range (4 to 72).", Assert.Single(Why(73)!));
        Assert.Equal("Loan duration: 3 is outside the training data's range (4 to 72).", Assert.Single(Why(3)!));
    }

    [Fact]
    public void Asking_for_training_ranges_of_a_model_without_them_refuses_the_model_in_one_line()
    {
        var folder = Directory.CreateTempSubdirectory("refer-ranges-");
        try
        {
            var copy = Path.Combine(folder.FullName, "model.onnx");
            File.Copy(TestModels.Shipped, copy);
            using var model = new CreditModel(copy);
            var e = Assert.Throws<ModelLoadException>(() => new ReferRule(model, Options.Create(new ReferOptions { OutsideTrainingRange = true })));
            Assert.Contains("Refer:OutsideTrainingRange needs the numeric inputs' training ranges: training-summary.json is not beside the model", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Off_by_default()
    {
        var rule = new ReferRule(new CreditModel(TestModels.Shipped), Options.Create(new ReferOptions()));
        Assert.False(rule.Enabled);
        Assert.Null(rule.Why(new ApplicantRow(TestModels.Spec().Features.Count), 0.17, new GraphDecision(0.17f, true, 0, 5, 1)));
    }
}

/// <summary>Refer in money over HTTP: the shipped Lending Club model, whose graph computes each loan's expected profit.</summary>
public sealed class MoneyReferTests
{
    [Fact]
    public async Task A_batch_of_1000_Lending_Club_loans_refers_those_within_the_band_of_break_even_in_dollars()
    {
        const double Band = 200;
        var golden = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.RepoRoot, "artifacts", TestModels.LendingClub, "golden.json")))!["rows"]!
            .AsArray().Where(r => (string)r!["kind"]! == "data").Take(1000).ToList();
        var profits = golden.Select(r => r!["expectedProfit"] is { } p ? (double?)p : null).ToList();
        var implied = profits.Count(p => p is { } v && Math.Abs(v) <= Band);
        // The golden file's amount tolerance is about 1e-4 of the amount: a loan that close to the edge may fall either side.
        var onEdge = profits.Count(p => p is { } v && Math.Abs(Math.Abs(v) - Band) <= 0.05);

        using var app = new AppFactory(new Dictionary<string, string?>
        {
            ["Model:Path"] = TestModels.ShippedModel(TestModels.LendingClub),
            ["Refer:Band"] = Band.ToString(CultureInfo.InvariantCulture),
            ["Records:Enabled"] = "false",
        });
        using var client = app.CreateClient();
        using var response = await client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray([.. golden.Select(r => r!["input"]!.DeepClone())]) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!.Results;
        var referred = results.Where(r => r.Decision == Decisions.Refer).ToList();
        Assert.InRange(referred.Count, implied - onEdge, implied + onEdge);
        Assert.True(implied > 10, $"only {implied} loans within USD {Band} of break-even: the test would prove little");
        // Each refer is one the money rule picked, and says so in dollars; each other decision is outside the band.
        Assert.All(referred, r => Assert.True(Math.Abs(r.Money!.ExpectedProfit!.Value) <= Band, $"{r.Money.ExpectedProfit}"));
        Assert.All(referred, r => Assert.Contains("of break-even", Assert.Single(r.ReferReasons!), StringComparison.Ordinal));
        Assert.All(results.Where(r => r.Decision != Decisions.Refer), r => Assert.True(r.Money!.ExpectedProfit is not { } p || Math.Abs(p) > Band));
    }
}

/// <summary>Refer on every transport, and on a realistic batch, against the oversight server (SQLite).</summary>
public sealed class ReferTransportTests(SqliteOversightApp app) : IClassFixture<SqliteOversightApp>
{
    [Fact]
    public async Task A_batch_of_the_1000_German_Credit_applicants_refers_the_share_the_band_implies()
    {
        // The trainer's own PDs for these rows (golden.json): the band implies this many within 5 points of the threshold.
        var golden = OversightApp.GoldenRows;
        Assert.Equal(1000, golden.Count);
        var implied = golden.Count(r => Math.Abs(r.Pd - r.Threshold) <= OversightApp.Band);
        // "Within rounding": rows whose distance is within the golden file's float tolerance of the band's edge may fall either side.
        var onEdge = golden.Count(r => Math.Abs(Math.Abs(r.Pd - r.Threshold) - OversightApp.Band) < 1e-6);

        using var client = app.Client();
        using var response = await client.PostAsync("/api/v1/score/batch", new StringContent(CsvBatchTests.LoanFile(',', 1000), Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var rows = CsvBatchTests.Rows(text, ',');
        var decision = Array.IndexOf(rows[0], "decision");
        Assert.Equal(1001, rows.Count);
        var referred = rows.Skip(1).Count(r => r[decision] == Decisions.Refer);
        Assert.InRange(referred, implied - onEdge, implied + onEdge);
        // The share is the band's, not an accident: 178 of these 1,000 (17.8 %) sit within 5 points of the 17.2 % threshold.
        Assert.Equal((178, 0), (implied, onEdge));
    }

    [Fact]
    public async Task Every_transport_answers_refer_for_the_same_applicant()
    {
        var input = OversightApp.Applicant(0.001, 0.04, skip: 5);
        using var client = app.Client();

        var one = (await (await client.PostJson("/api/v1/score", input)).Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
        Assert.Equal(Decisions.Refer, one.Decision);

        var batch = (await (await client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray(input.DeepClone()) }))
            .Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!;
        Assert.Equal(Decisions.Refer, Assert.Single(batch.Results).Decision);
        Assert.Equal(one.ReferReasons, batch.Results[0].ReferReasons);

        var header = string.Join(',', input.Select(p => p.Key));
        var cells = string.Join(',', input.Select(p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value!.ToJsonString()));
        using var csv = await client.PostAsync("/api/v1/score/batch", new StringContent($"{header}\n{cells}\n", Encoding.UTF8, "text/csv"));
        var rows = CsvBatchTests.Rows(await csv.Content.ReadAsStringAsync(), ',');
        Assert.Equal(Decisions.Refer, rows[1][Array.IndexOf(rows[0], "decision")]);
        Assert.Equal(string.Join(' ', one.ReferReasons!), rows[1][Array.IndexOf(rows[0], "referReasons")]);

        var v2 = JsonNode.Parse(await (await client.PostJson($"/v2/models/{TestModels.German}/infer", OpenInferenceTests.InferRequest([input]))).Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(Decisions.Refer, (string)OpenInferenceTests.Output(v2, "decision", "BYTES", 1)[0]!);

        using var channel = GrpcChannel.ForAddress(app.Factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = app.Factory.Server.CreateHandler() });
        var grpc = await new V2.GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelInferAsync(OpenInferenceTests.GrpcRequest([input], raw: false));
        Assert.Equal(Decisions.Refer, grpc.Outputs.Single(o => o.Name == "decision").Contents.BytesContents[0].ToStringUtf8());

        // Same PD everywhere: one pipeline.
        Assert.Equal(one.ProbabilityOfDefault, batch.Results[0].ProbabilityOfDefault);
        Assert.Equal(one.ProbabilityOfDefault, double.Parse(rows[1][Array.IndexOf(rows[0], "probabilityOfDefault")], CultureInfo.InvariantCulture));
    }
}
