using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Export;
using CreditRisk.Trainer.Selection;
using Microsoft.ML;

namespace CreditRisk.Trainer.Tests;

internal static class TestData
{
    public static readonly string SpecPath = Path.Combine(Paths.Root, "data", "german-credit", "dataset.json");

    private static readonly Lazy<CreditData> Data = new(() => CreditData.Load(SpecPath));

    public static DatasetSpec Spec => Data.Value.Spec;

    public static IReadOnlyList<CreditRecord> Rows => Data.Value.Rows;

    public static CreditData Credit => Data.Value;
}

public class OnnxExportTests
{
    public static TheoryData<LearnerKind> Families => [.. Candidate.OnePerFamily().Select(c => c.Kind)];

    /// <summary>Every learner the selection can pick: train on all rows, export, and compare ML.NET with ONNX Runtime.</summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void Onnx_runtime_reproduces_mlnet_on_all_rows_and_edge_rows(LearnerKind kind)
    {
        var candidate = Candidate.OnePerFamily().Single(c => c.Kind == kind);
        var training = new Training(TestData.Spec, seed: 42);
        var model = training.Fit(candidate, TestData.Rows);
        var onnx = OnnxExport.Convert(training.NewContext(), model, TestData.Spec, TestData.Rows);

        var golden = Golden.Rows(TestData.Spec, TestData.Rows, TreeSplits.Find(model, TestData.Spec));
        var rows = golden.Select(g => g.Record).ToArray();
        // Two base rows, each with both range ends of every number and an unseen and an empty value of every category.
        var edges = 2 * (2 * TestData.Spec.Inputs.Count(f => f.IsNumber) + 2 * TestData.Spec.Inputs.Count(f => f.IsCategory));
        Assert.True(golden.Count(g => g.Kind != "data") >= edges, $"only {golden.Count(g => g.Kind != "data")} edge rows, expected at least {edges}");
        if (kind != LearnerKind.LogisticRegression)
        {
            Assert.Contains(golden, g => g.Kind == "split");
        }

        var expected = Training.Predict(model, TestData.Spec, rows);
        using var scorer = new OnnxScorer(onnx);
        var actual = scorer.Score(TestData.Spec, rows);
        var threshold = CostMatrix.Default.BayesThreshold;
        var maxDelta = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDelta <= 1e-5, $"{kind}: max |ΔPD| {maxDelta:E2}");
        Assert.Equal(expected.Select(p => Decisions.Rejects(p, threshold)), actual.Select(p => Decisions.Rejects(p, threshold)));

        // The file's interface is the contract's (Verify throws otherwise).
        OnnxExport.Verify(onnx, model, TestData.Spec, rows, threshold);
        Assert.Equal(TestData.Spec.Inputs.Select(f => f.Name).Order(), scorer.Inputs.Keys.Order());
        Assert.Equal([ModelMetadataKeys.ProbabilityOutput], scorer.Outputs.Keys);
    }

    /// <summary>The shipped kind of model: one candidate per family, merged into one graph computing their mean PD.</summary>
    [Fact]
    public void An_ensemble_exports_as_one_graph_that_reproduces_the_mlnet_mean_and_encodes_each_field_once()
    {
        var training = new Training(TestData.Spec, seed: 42);
        var model = training.FitModel(Candidate.MeanOf(Candidate.OnePerFamily()), TestData.Rows);
        Assert.Equal(4, model.Members.Count);
        var onnx = OnnxExport.Convert(training.NewContext(), model, TestData.Rows);
        var golden = Golden.Rows(TestData.Spec, TestData.Rows, TreeSplits.Find(model));
        var rows = golden.Select(g => g.Record).ToArray();
        Assert.Contains(golden, g => g.Kind == "split");

        // ML.NET's mean of the members against ONNX Runtime on every training and edge row (Verify throws otherwise),
        // and the mean really is a mean: it differs from every member alone.
        OnnxExport.Verify(onnx, model, rows, CostMatrix.Default.BayesThreshold);
        using var scorer = new OnnxScorer(onnx);
        var pd = scorer.Score(TestData.Spec, rows);
        Assert.All(model.Members, m => Assert.NotEqual(Training.Predict(m, TestData.Spec, rows), pd));
        Assert.Equal(TestData.Spec.Inputs.Select(f => f.Name).Order(), scorer.Inputs.Keys.Order());
        Assert.Equal([ModelMetadataKeys.ProbabilityOutput], scorer.Outputs.Keys);

        // Shared preprocessing is computed once; the members' PredictedLabel branches are gone; one Mean node ends it.
        var graph = Onnx.ModelProto.Parser.ParseFrom(onnx).Graph;
        Assert.Equal(TestData.Spec.Inputs.Count(f => f.IsCategory), graph.Node.Count(n => n.OpType == "OneHotEncoder"));
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Binarizer");
        Assert.Equal(4, graph.Node.Single(n => n.OpType == "Mean").Input.Count);
    }

    [Fact]
    public void A_recalibrated_ensemble_computes_the_platt_step_inside_the_graph_and_reproduces_the_trainer()
    {
        var training = new Training(TestData.Spec, seed: 42);
        var members = Candidate.OnePerFamily().Where(c => c.Kind is LearnerKind.LogisticRegression or LearnerKind.FastTree).ToArray();
        var platt = new Platt(-0.4, 1.3, 0, 0);
        var plain = training.FitModel(Candidate.MeanOf(members), TestData.Rows);
        var model = training.FitModel(Candidate.MeanOf(members) with { Recalibration = platt }, TestData.Rows);
        var rows = Golden.Rows(TestData.Spec, TestData.Rows, TreeSplits.Find(model)).Select(g => g.Record).ToArray();
        var onnx = OnnxExport.Convert(training.NewContext(), model, TestData.Rows);

        // ONNX Runtime against the trainer's float arithmetic on every training and edge row (Verify throws otherwise),
        // and the step really changes the PD: it is the Platt map of the plain mean.
        OnnxExport.Verify(onnx, model, rows, CostMatrix.Default.BayesThreshold);
        using var scorer = new OnnxScorer(onnx);
        var pd = scorer.Score(TestData.Spec, rows);
        var mean = plain.Predict(rows);
        Assert.All(Enumerable.Range(0, rows.Length), i => Assert.Equal(platt.Apply((double)mean[i]), pd[i], 1e-5));
        Assert.Contains(Enumerable.Range(0, rows.Length), i => Math.Abs(pd[i] - mean[i]) > 0.01);
        Assert.Equal([ModelMetadataKeys.ProbabilityOutput], scorer.Outputs.Keys);
        Assert.Equal("Sigmoid", Onnx.ModelProto.Parser.ParseFrom(onnx).Graph.Node.Single(n => n.Output.Contains(ModelMetadataKeys.ProbabilityOutput)).OpType);
        Assert.Equal(platt.Formula, (Candidate.MeanOf(members) with { Recalibration = platt }).HyperparameterStrings["recalibration"]);
    }

    [Fact]
    public void Linear_members_are_padded_to_one_kernel_path_and_still_reproduce_mlnet()
    {
        var training = new Training(TestData.Spec, seed: 42);
        var model = training.FitModel(Candidate.OnePerFamily().First(c => c.Kind == LearnerKind.LogisticRegression), TestData.Rows);
        var onnx = OnnxExport.Convert(training.NewContext(), model, TestData.Rows);
        OnnxExport.Verify(onnx, model, TestData.Rows, CostMatrix.Default.BayesThreshold);

        var graph = Onnx.ModelProto.Parser.ParseFrom(onnx).Graph;
        var linear = graph.Node.Single(n => n.OpType == "LinearRegressor");
        var pad = graph.Node.Single(n => n.Output.Contains(linear.Input[0]));
        Assert.Equal("Concat", pad.OpType);
        var zeroRow = graph.Initializer.Single(t => t.Name == pad.Input[1]);
        // One row as wide as the feature vector: the one-hot levels seen in training (48) plus the 6 numbers (61 before
        // the three protected attributes stopped being inputs).
        Assert.Equal([1L, 54L], zeroRow.Dims);
        Assert.All(zeroRow.FloatData, v => Assert.Equal(0f, v));
        Assert.Equal("Slice", graph.Node.Single(n => n.Input.Contains(linear.Output[0])).OpType);

        // Tree-only files are left byte for byte as they were.
        var trees = OnnxExport.Convert(training.NewContext(), training.Fit(Candidate.OnePerFamily().First(c => c.Kind == LearnerKind.LightGbm), TestData.Rows), TestData.Spec, TestData.Rows);
        Assert.Same(trees, OnnxLinear.BatchInvariant(trees));
    }

    [Fact]
    public void Round_trip_casts_after_label_encoders_are_removed_only_where_exact()
    {
        var training = new Training(TestData.Spec, seed: 42);
        var raw = OnnxExport.Convert(training.NewContext(), training.Fit(Candidate.OnePerFamily().First(c => c.Kind == LearnerKind.LightGbm), TestData.Rows), TestData.Spec, TestData.Rows);
        static int Casts(byte[] onnx) => Onnx.ModelProto.Parser.ParseFrom(onnx).Graph.Node.Count(n => n.OpType == "Cast");
        var categorical = TestData.Spec.Inputs.Count(f => f.IsCategory);

        var lean = OnnxCasts.RemoveRoundTrips(raw);
        Assert.Equal(Casts(raw) - 2 * categorical, Casts(lean));
        using (var before = new OnnxScorer(raw))
        using (var after = new OnnxScorer(lean))
        {
            var rows = Golden.Rows(TestData.Spec, TestData.Rows, new Dictionary<string, float[]>()).Select(g => g.Record).ToArray(); // incl. unseen categories
            Assert.Equal(before.Score(TestData.Spec, rows), after.Score(TestData.Spec, rows));
        }

        // An encoder whose default code is negative would not survive the uint32 cast: its casts stay.
        var model = Onnx.ModelProto.Parser.ParseFrom(raw);
        model.Graph.Node.First(n => n.OpType == "LabelEncoder").Attribute.Single(a => a.Name == "default_int64").I = -1;
        var guarded = OnnxCasts.RemoveRoundTrips(Google.Protobuf.MessageExtensions.ToByteArray(model));
        Assert.Equal(Casts(raw) - 2 * (categorical - 1), Casts(guarded));
    }

    [Fact]
    public void Merging_refuses_members_with_different_inputs()
    {
        var training = new Training(TestData.Spec, seed: 42);
        var member = OnnxExport.Convert(training.NewContext(), training.Fit(Candidate.OnePerFamily()[0], TestData.Rows), TestData.Spec, TestData.Rows);
        var other = Onnx.ModelProto.Parser.ParseFrom(member);
        other.Graph.Input[0].Name = "somethingElse";
        var error = Assert.Throws<OnnxExportException>(() =>
            OnnxEnsemble.Merge([member, Google.Protobuf.MessageExtensions.ToByteArray(other)], ModelMetadataKeys.ProbabilityOutput));
        Assert.Contains("different graph inputs", error.Message, StringComparison.Ordinal);
        Assert.Same(member, OnnxEnsemble.Merge([member], ModelMetadataKeys.ProbabilityOutput));
    }

    [Fact]
    public void Same_seed_gives_byte_identical_onnx()
    {
        byte[] Export()
        {
            var training = new Training(TestData.Spec, seed: 7);
            var candidate = Candidate.OnePerFamily().First(c => c.Kind == LearnerKind.LightGbm);
            var model = training.Fit(candidate, TestData.Rows);
            var card = TestCard(0.2);
            return ModelFile.WithMetadata(OnnxExport.Convert(training.NewContext(), model, TestData.Spec, TestData.Rows), card, Provenance.Unknown);
        }

        Assert.Equal(Export(), Export());
    }

    [Fact]
    public void Same_seed_gives_a_byte_identical_ensemble_file()
    {
        byte[] Export()
        {
            var training = new Training(TestData.Spec, seed: 7);
            var model = training.FitModel(Candidate.MeanOf(Candidate.OnePerFamily()), TestData.Rows);
            return ModelFile.WithMetadata(OnnxExport.Convert(training.NewContext(), model, TestData.Rows), TestCard(0.2), Provenance.Unknown);
        }

        Assert.Equal(Export(), Export());
    }

    [Fact]
    public void Metadata_rewrite_keeps_the_graph_and_carries_the_card()
    {
        var training = new Training(TestData.Spec, seed: 42);
        var candidate = Candidate.OnePerFamily().First(c => c.Kind == LearnerKind.LogisticRegression);
        var model = training.Fit(candidate, TestData.Rows);
        var graph = OnnxExport.Convert(training.NewContext(), model, TestData.Spec, TestData.Rows);
        var card = TestCard(0.1875);
        var onnx = ModelFile.WithMetadata(graph, card, Provenance.Unknown);

        // Rewriting again replaces the metadata instead of duplicating it, and leaves the graph alone.
        var again = ModelFile.WithMetadata(onnx, card, Provenance.Unknown);
        Assert.Equal(OnnxMetadata.ReadMetadata(onnx).Count, OnnxMetadata.ReadMetadata(again).Count);
        Assert.Equal(onnx.Length, again.Length);
        using var scorer = new OnnxScorer(onnx);
        Assert.Equal("0.1875", scorer.Metadata[ModelMetadataKeys.Threshold]);
        Assert.Equal("5", scorer.Metadata[ModelMetadataKeys.CostFalseNegative]);
        Assert.Equal("1", scorer.Metadata[ModelMetadataKeys.CostFalsePositive]);
        Assert.Equal(ModelCard.CurrentVersion, scorer.Metadata[ModelMetadataKeys.CardVersion]);
        Assert.Equal("german-credit", scorer.Metadata[ModelMetadataKeys.Dataset]);
        Assert.Equal(card.Dataset.Inputs.Select(f => f.Name), RoundTripSpec(scorer).Inputs.Select(f => f.Name));
        var roundTrip = JsonSerializer.Deserialize<ModelCard>(scorer.Metadata[ModelMetadataKeys.ModelCard], ModelFile.CardJson)!;
        Assert.Equal(JsonSerializer.Serialize(card.ReferenceApplicant), JsonSerializer.Serialize(roundTrip.ReferenceApplicant));
        Assert.Equal(card.NestedCv, roundTrip.NestedCv);
        Assert.All(Training.Predict(model, TestData.Spec, TestData.Rows).Zip(scorer.Score(TestData.Spec, TestData.Rows)), p => Assert.Equal(p.First, p.Second, 1e-5));
    }

    [Fact]
    public void The_version_identifies_graph_and_card_not_the_checkout()
    {
        var training = new Training(TestData.Spec, seed: 42);
        var model = training.Fit(Candidate.OnePerFamily().First(c => c.Kind == LearnerKind.LogisticRegression), TestData.Rows);
        var graph = OnnxExport.Convert(training.NewContext(), model, TestData.Spec, TestData.Rows);
        var card = TestCard(0.1875);
        var clean = ModelFile.WithMetadata(graph, card, new Provenance(new string('a', 40), "2026-12-01T10:00:00+00:00", false));
        var later = ModelFile.WithMetadata(graph, card, new Provenance(new string('b', 40), "2026-12-02T10:00:00+00:00", true));

        // A later commit (and a dirty tree) changes the file's bytes, but not the model's version.
        Assert.NotEqual(clean, later);
        Assert.Equal(ModelFile.VersionOf(clean, card), ModelFile.VersionOf(later, card));
        using var scorer = new OnnxScorer(later);
        Assert.Equal(ModelFile.VersionOf(later, card), scorer.Metadata[ModelMetadataKeys.ContentHash]);
        Assert.Contains("\"trainingTreeDirty\":true", scorer.Metadata[ModelMetadataKeys.Provenance]);

        // Another threshold is another model.
        var other = ModelFile.WithMetadata(graph, card with { Threshold = 0.2 }, Provenance.Unknown);
        Assert.NotEqual(ModelFile.VersionOf(clean, card), ModelFile.VersionOf(other, card with { Threshold = 0.2 }));
    }

    [Fact]
    public void Export_refuses_a_pipeline_onnx_cannot_represent()
    {
        var ml = new MLContext(seed: 1);
        // A custom mapping has no ONNX form: the converter drops it, so the graph cannot match the pipeline.
        var pipeline = ml.Transforms.CustomMapping<AgeInput, AgeOutput>((i, o) => o.AgeSquared = i.Age * i.Age, contractName: null)
            .Append(ml.Transforms.Concatenate("Features", nameof(AgeOutput.AgeSquared), "durationMonths"))
            .Append(ml.BinaryClassification.Trainers.LightGbm(labelColumnName: CreditDataView.LabelColumn, numberOfIterations: 10));
        var model = pipeline.Fit(new CreditDataView(TestData.Spec, TestData.Rows, withLabel: true));
        var error = Assert.Throws<OnnxExportException>(() => OnnxExport.Verify(OnnxExport.Convert(ml, model, TestData.Spec, TestData.Rows), model, TestData.Spec, TestData.Rows, 1 / 6.0));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Export_refuses_a_file_that_does_not_reproduce_the_model()
    {
        var training = new Training(TestData.Spec, seed: 42);
        var families = Candidate.OnePerFamily();
        var lr = training.Fit(families.First(c => c.Kind == LearnerKind.LogisticRegression), TestData.Rows);
        var trees = training.Fit(families.First(c => c.Kind == LearnerKind.LightGbm), TestData.Rows);
        var wrongFile = OnnxExport.Convert(training.NewContext(), lr, TestData.Spec, TestData.Rows);
        var error = Assert.Throws<OnnxExportException>(() => OnnxExport.Verify(wrongFile, trees, TestData.Spec, TestData.Rows, 1 / 6.0));
        Assert.Contains("does not reproduce", error.Message, StringComparison.Ordinal);
    }

    private static DatasetSpec RoundTripSpec(OnnxScorer scorer) =>
        JsonSerializer.Deserialize<ModelCard>(scorer.Metadata[ModelMetadataKeys.ModelCard], ModelFile.CardJson)!.Dataset;

    internal static ModelCard TestCard(double threshold) => new()
    {
        CardVersion = ModelCard.CurrentVersion,
        Dataset = TestData.Spec,
        Learner = "test",
        Hyperparameters = new Dictionary<string, string> { ["x"] = "1" },
        Threshold = threshold,
        NestedCv = new CrossValidatedCost(0.5, 0.45, 0.55, 0.78, 5, 10),
        TrainingRows = 1000,
        TrainingDataSha256 = TestData.Credit.Sha256,
        Seed = 7,
        ReferenceApplicant = ReferenceValues.RequestValues(TestData.Spec, TestData.Rows[0], TestData.Spec.Inputs),
        ExampleApplicant = ReferenceValues.RequestValues(TestData.Spec, TestData.Rows[0], TestData.Spec.Features),
    };

    public sealed class AgeInput
    {
        [Microsoft.ML.Data.ColumnName("creditAmount")]
        public float Age { get; set; }
    }

    public sealed class AgeOutput
    {
        public float AgeSquared { get; set; }
    }
}
