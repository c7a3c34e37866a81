using System.Net;
using System.Text.Json.Nodes;
using CreditRisk.Server.Model;
using CreditRisk.Testing;

namespace CreditRisk.Server.Tests;

/// <summary>F3/F4: a model whose output is not one probability per row never serves, at load or at run time.</summary>
public sealed class ModelCheckTests
{
    private static string Card(Action<JsonObject> edit)
    {
        var card = JsonNode.Parse(TestModels.CardJson(TestModels.Card()))!.AsObject();
        edit(card);
        return card.ToJsonString();
    }

    public static TheoryData<string, string> BadModels() => new()
    {
        { TestModels.Write("two-columns.onnx", TestModels.TinyWith(twoColumns: true)), "must have shape [N, 1], not [N, 2]" },
        { TestModels.Write("rank-1.onnx", TestModels.TinyWith(flatten: true)), "must have shape [N, 1], not [N]" },
        // Declares [N, 1]; ONNX Runtime's shape inference sees the second column anyway.
        { TestModels.Write("two-columns-declared-one.onnx", TestModels.TinyWith(twoColumns: true, outputShape: ["N", "1"])), "must have shape [N, 1], not [N, ?]" },
        { TestModels.Write("pd-above-1-at-warm-up.onnx", TestModels.TinyWith(scale: 10)), "warm-up scoring: the model returned" },
        { TestModels.Write("null-learner.onnx", TestModels.TinyWith(cardJson: Card(c => c["learner"] = null))), "no learner" },
        { TestModels.Write("null-reference.onnx", TestModels.TinyWith(cardJson: Card(c => c["referenceApplicant"] = null))), "no reference applicant" },
        { TestModels.Write("tiny-threshold.onnx", TestModels.TinyWith(cardJson: Card(c => c["threshold"] = 1e-300))), "decision threshold 1E-300" },
        { TestModels.Write("negative-cost.onnx", TestModels.TinyWith(cardJson: Card(c => c["costFalseNegative"] = -5))), "cost weight costFalseNegative -5" },
        { TestModels.Write("huge-cost.onnx", TestModels.TinyWith(cardJson: Card(c => c["costFalsePositive"] = 1e308))), "cost weight costFalsePositive" },
        { TestModels.Directory, "is a directory; Model:Path must name the .onnx file" },
        { TestModels.Write("reference-duration-1000.onnx", TestModels.TinyWith(cardJson: Card(c => c["referenceApplicant"]!["durationMonths"] = 1000))), "reference applicant has values outside the spec: durationMonths (must be a whole number from 1 to 120)" },
    };

    [Theory]
    [MemberData(nameof(BadModels))]
    public void Bad_model_is_refused_at_load(string path, string problem)
    {
        var e = Assert.Throws<ModelLoadException>(() => new CreditModel(path));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>The shipped German Credit model with its card edited (and restamped, so the version check passes): the graph still decides on the trainer's economics.</summary>
    private static string Disagreeing(string name, Action<JsonObject> edit)
    {
        var bytes = File.ReadAllBytes(TestModels.Shipped);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(bytes);
        var card = JsonNode.Parse(session.ModelMetadata.CustomMetadataMap[CreditRisk.Contracts.ModelMetadataKeys.ModelCard])!.AsObject();
        edit(card);
        return TestModels.Write(name, TinyOnnx.Restamp(bytes, card.ToJsonString()));
    }

    public static TheoryData<string, string> DisagreeingEconomics() => new()
    {
        { Disagreeing("card-fn-10.onnx", c => { c["costFalseNegative"] = 10; c["dataset"]!["costs"]!["falseNegative"] = 10; }), "the graph's economics disagree with the model card: the example applicant gets loss 5 where the card's economics give 10" },
        { Disagreeing("card-threshold-0.3.onnx", c => c["threshold"] = 0.3), "the graph's economics disagree with the model card: the example applicant gets threshold" },
        { Disagreeing("card-without-economics.onnx", c => c.Remove("economics")), "the graph has decision outputs (Threshold.output, …) but the model card records no economics" },
        { Disagreeing("card-says-loan.onnx", c => c["economics"]!["basis"] = "loan"), "the card's economics (loan, no currency) disagree with its spec's costs (constant, no currency)" },
    };

    [Theory]
    [MemberData(nameof(DisagreeingEconomics))]
    public void A_model_whose_card_and_graph_disagree_on_the_economics_is_refused_at_load(string path, string problem)
    {
        var e = Assert.Throws<ModelLoadException>(() => new CreditModel(path));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_shipped_models_pass_the_economics_checks_and_a_restamped_unedited_copy_too()
    {
        foreach (var dataset in new[] { TestModels.German, TestModels.LendingClub })
        {
            using var model = new CreditModel(TestModels.ShippedModel(dataset));
            Assert.NotNull(model.Card.Economics);
        }

        using var copy = new CreditModel(Disagreeing("card-unedited.onnx", _ => { }));
        Assert.Equal(CreditRisk.Contracts.DecisionEconomics.Constant, copy.Card.Economics!.Basis);
    }

    [Fact]
    public async Task Server_process_with_a_model_whose_card_and_graph_disagree_on_the_economics_exits_1_in_one_line()
    {
        var (exitCode, stdout, stderr) = await ModelLoadTests.RunServer(new()
        {
            ["Model__Path"] = Disagreeing("card-threshold-0.3-process.onnx", c => c["threshold"] = 0.3),
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });
        StartupTests.AssertOneLineExit1(exitCode, stdout, stderr, "the graph's economics disagree with the model card");
    }

    [Theory]
    [InlineData("null-reference.onnx", "no reference applicant")]
    [InlineData("two-columns.onnx", "not [N, 2]")]
    [InlineData("rank-1.onnx", "not [N]")]
    public async Task Server_process_with_a_bad_model_exits_1_in_one_line(string file, string problem)
    {
        _ = BadModels();
        var (exitCode, stdout, stderr) = await ModelLoadTests.RunServer(new()
        {
            ["Model__Path"] = Path.Combine(TestModels.Directory, file),
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });
        StartupTests.AssertOneLineExit1(exitCode, stdout, stderr, problem);
    }

    [Fact]
    public void Sidecar_that_names_another_model_is_reported_and_a_matching_or_absent_one_is_not()
    {
        var folder = Directory.CreateDirectory(Path.Combine(TestModels.Directory, "sidecar")).FullName;
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, TestModels.Tiny());
        using var model = new CreditModel(path);
        Assert.Null(ModelChecks.CheckSidecar(path, model.Version));

        File.WriteAllText(Path.Combine(folder, "model.json"), "{\"modelVersion\": \"" + model.Version + "\"}");
        Assert.Null(ModelChecks.CheckSidecar(path, model.Version));

        File.WriteAllText(Path.Combine(folder, "model.json"), "{\"modelVersion\": \"000000000000\"}");
        Assert.Contains("describes model 000000000000, not the served " + model.Version, ModelChecks.CheckSidecar(path, model.Version), StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(folder, "model.json"), "{");
        Assert.Contains("not readable JSON", ModelChecks.CheckSidecar(path, model.Version), StringComparison.Ordinal);
    }

    [Fact]
    public void Golden_rows_beside_the_model_are_compared_and_a_mismatch_refuses_it()
    {
        using (var shipped = new CreditModel(TestModels.Shipped))
        {
            Assert.True(ModelChecks.CheckGolden(shipped) > 1000, "the shipped golden rows were not compared");
        }

        var folder = Directory.CreateDirectory(Path.Combine(TestModels.Directory, "golden")).FullName;
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, TestModels.Tiny());
        using var model = new CreditModel(path);
        Assert.Equal(0, ModelChecks.CheckGolden(model));

        var input = DrivenApplicant(20);
        var right = 1 / (1 + Math.Exp(-(0.1 * 20 - 2)));
        string Golden(double pd) => $"{{\"tolerance\":1e-5,\"rows\":[{{\"kind\":\"split\",\"input\":{{}},\"pd\":0}},{{\"kind\":\"data\",\"input\":{input},\"pd\":{pd.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}}]}}";
        File.WriteAllText(Path.Combine(folder, "golden.json"), Golden(right));
        Assert.Equal(1, ModelChecks.CheckGolden(model));

        File.WriteAllText(Path.Combine(folder, "golden.json"), Golden(right + 0.01));
        var e = Assert.Throws<ModelLoadException>(() => ModelChecks.CheckGolden(model));
        Assert.Contains("golden row 1 of", e.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(folder, "golden.json"), "{\"rows\": 1}");
        Assert.Contains("is not readable", Assert.Throws<ModelLoadException>(() => ModelChecks.CheckGolden(model)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shipped_sidecar_matches_the_shipped_model()
    {
        using var model = new CreditModel(TestModels.Shipped);
        Assert.Null(ModelChecks.CheckSidecar(model.Path, model.Version));
    }

    [Theory]
    [InlineData(new long[] { 2, 2 }, 2)]
    [InlineData(new long[] { 2 }, 2)]
    [InlineData(new long[] { 1, 1 }, 2)]
    public void Run_time_output_of_the_wrong_shape_is_rejected(long[] shape, int rows)
    {
        var e = Assert.Throws<ModelOutputException>(() => ModelChecks.CheckScores(shape, new float[4], rows));
        Assert.Contains($"for {rows} rows", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-0.01f)]
    [InlineData(1.01f)]
    public void Run_time_value_that_is_not_a_probability_is_rejected(float p) =>
        Assert.Throws<ModelOutputException>(() => ModelChecks.CheckScores([2, 1], [0.5f, p], 2));

    /// <summary>
    /// Valid for the warm-up rows (duration 6 months) but not for long loans: PD = 2·sigmoid(0.1·d − 2) exceeds 1 from
    /// about 30 months, and exp(10·d − 400) is infinite in float at 72.
    /// </summary>
    [Theory]
    [InlineData("pd-above-1-for-long-loans.onnx", "Sigmoid", 0.1f, -2f, 2f)]
    [InlineData("pd-infinite-for-long-loans.onnx", "Exp", 10f, -400f, null)]
    public async Task Bad_pd_at_run_time_is_a_503_problem_logged_counted_and_turns_readiness_off(
        string file, string activation, float weight, float bias, float? scale)
    {
        var path = TestModels.Write(file, TestModels.TinyWith(weight, bias, activation, scale));
        await using var server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
        {
            ["Model__Path"] = path,
            ["Model__MaxBadOutputs"] = "2",
        });
        var good = DrivenApplicant(6);
        var bad = DrivenApplicant(72);

        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostJson("/api/v1/score", good)).StatusCode);
        var refused = await server.Client.PostJson("/api/v1/score", bad);
        Assert.Equal("5", refused.Headers.GetValues("Retry-After").Single());
        var problem = await refused.AssertProblem(503);
        Assert.Equal("Model output rejected", (string?)problem["title"]);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/health/ready")).StatusCode);

        // One bad row spoils the batch: nothing in it is served.
        var batch = new JsonObject { ["applicants"] = new JsonArray(JsonNode.Parse(good), JsonNode.Parse(bad)) };
        await (await server.Client.PostJson("/api/v1/score/batch", batch)).AssertProblem(503);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.Client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/health/live")).StatusCode);
        var metrics = await server.Client.GetStringAsync("/metrics");
        Assert.Contains("creditrisk_model_bad_outputs_total{model=\"german-credit\"} 2", metrics, StringComparison.Ordinal);
        // The bad score is not counted as a decision: only the one good applicant (twice: alone and in the batch is not served).
        Assert.Contains("creditrisk_scores_total{model=\"german-credit\",decision=\"approve\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("decision=\"reject\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("Model output rejected on {Path}", server.Output, StringComparison.Ordinal);
        Assert.Contains("\"@l\":\"Error\"", server.Output, StringComparison.Ordinal);
    }

    /// <summary>A valid German applicant whose tiny-model PD is sigmoid(0.1 · <paramref name="driving"/> − 2).</summary>
    private static string DrivenApplicant(double driving)
    {
        var spec = TestModels.Spec();
        var applicant = TestModels.SpecApplicant(spec);
        applicant[TestModels.DrivingInput(spec)] = System.Text.Json.JsonSerializer.SerializeToElement(driving);
        return System.Text.Json.JsonSerializer.Serialize(applicant);
    }
}
