using CreditRisk.Contracts;
using CreditRisk.Server.Model;

namespace CreditRisk.Server.Tests;

/// <summary>
/// Issue 31, item 6 (docs/scale.md): a model trained past this machine (say LightGBM on Spark) reaches this server as
/// an ONNX file written by another exporter. Here that exporter is <see cref="TinyOnnx"/> (protobuf written by hand,
/// no ML.NET): the server's load checks accept its file when the spec's inputs, the probability output, the card and
/// the content hash are right, and refuse it, naming what is wrong, when they are not.
/// </summary>
public sealed class ForeignExporterTests
{
    [Fact]
    public void A_graph_from_another_exporter_with_the_spec_inputs_card_and_hash_is_served_and_its_no_estimate_card_stays_outer_folds_0()
    {
        var spec = TestModels.Spec(TestModels.LendingClub) with { Costs = TestModels.Spec().Costs };
        var card = TestModels.Card(spec) with { NestedCv = new CrossValidatedCost(0.3, 0.28, 0.32, 0.7, OuterFolds: 0, Repeats: 0) };
        using var model = new CreditModel(TestModels.Write("foreign-lending-club.onnx", TestModels.Tiny(card: card)));
        Assert.Equal("TinyLogistic", model.Card.Learner);
        Assert.Equal(0, model.Card.NestedCv.OuterFolds);
        Assert.Equal(spec.Inputs.Select(f => f.Name), model.Spec.Inputs.Select(f => f.Name));
    }

    [Fact]
    public void A_foreign_file_without_the_content_hash_is_refused_in_one_line()
    {
        var path = TestModels.Write("foreign-unstamped.onnx", TestModels.Tiny(stamp: false));
        var e = Assert.Throws<ModelLoadException>(() => new CreditModel(path));
        Assert.Contains($"metadata '{ModelMetadataKeys.ContentHash}' is missing", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_foreign_graph_missing_an_input_of_the_spec_is_refused_naming_it()
    {
        var spec = TestModels.Spec();
        var dropped = spec.Inputs.Last(f => f.Name != TestModels.DrivingInput(spec));
        var path = TestModels.Write("foreign-missing-input.onnx", TestModels.Tiny(inputs: spec.Inputs.Where(f => f != dropped).Select(f => (f.Name, f.IsCategory))));
        var e = Assert.Throws<ModelLoadException>(() => new CreditModel(path));
        Assert.Contains($"missing input '{dropped.Name}'", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A loan-basis card promises the decision outputs; a foreign graph that computes only the PD must not serve under it.</summary>
    [Fact]
    public void A_foreign_graph_without_the_decision_outputs_its_loan_card_promises_is_refused()
    {
        var spec = TestModels.Spec(TestModels.LendingClub);
        var card = TestModels.Card(spec) with { Economics = DecisionEconomics.Of(spec) };
        var e = Assert.Throws<ModelLoadException>(() => new CreditModel(TestModels.Write("foreign-loan-no-decision.onnx", TestModels.Tiny(card: card))));
        Assert.Contains("which the graph does not have", e.Message, StringComparison.Ordinal);
    }
}
