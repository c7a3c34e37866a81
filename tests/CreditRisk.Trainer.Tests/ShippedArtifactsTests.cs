using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Trainer.Tests;

/// <summary>The committed artifacts/model.onnx loads in ONNX Runtime and reproduces the committed golden.json.</summary>
public class ShippedArtifactsTests
{
    private static string Artifact(string name) => Path.Combine(AppContext.BaseDirectory, "artifacts", name);

    [Fact]
    public void Shipped_model_reproduces_the_golden_file()
    {
        var (threshold, rows) = Golden.Read(File.ReadAllText(Artifact("golden.json")));
        using var scorer = new OnnxScorer(File.ReadAllBytes(Artifact("model.onnx")));
        Assert.Equal(threshold, double.Parse(scorer.Metadata[ModelMetadataKeys.Threshold], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1000, rows.Count(r => r.Row.Kind == "data"));
        Assert.Contains(rows, r => r.Row.Kind == "unseen");
        Assert.Contains(rows, r => r.Row.Kind == "edge");

        var pd = scorer.Score(rows.Select(r => r.Row.Record).ToArray());
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.True(Math.Abs(pd[i] - rows[i].Pd) <= OnnxExport.Tolerance, $"row {i}: {pd[i]} vs {rows[i].Pd}");
            Assert.Equal(rows[i].Decision, CostMatrix.Rejects(pd[i], threshold) ? Decisions.Reject : Decisions.Approve);
        }
    }

    [Fact]
    public void Shipped_model_carries_its_card_and_matches_the_sidecar_and_the_data()
    {
        using var scorer = new OnnxScorer(File.ReadAllBytes(Artifact("model.onnx")));
        var card = JsonSerializer.Deserialize<ModelCard>(scorer.Metadata[ModelMetadataKeys.ModelCard], ModelFile.CardJson)!;
        var sidecar = JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(Artifact("model.json")), ModelFile.CardJson)!;
        Assert.Equal(card.Threshold, sidecar.Threshold);
        Assert.Equal(card.ReferenceApplicant, sidecar.ReferenceApplicant);
        Assert.Equal(TestData.Credit.Sha256, card.TrainingDataSha256);
        Assert.Equal(FeatureSchema.Version, card.SchemaVersion);
        Assert.InRange(card.Threshold, 0.01, 0.99);
        Assert.True(card.NestedCv.OuterFolds > 0, "the shipped card should carry nested-CV results");
        Assert.InRange(card.NestedCv.CostPerApplicant, card.NestedCv.Ci95Low, card.NestedCv.Ci95High);
        foreach (var f in FeatureSchema.All)
        {
            if (f.IsCategorical)
            {
                Assert.True(f.IsAllowed(card.ReferenceApplicant.Category(f.Index)), f.Name);
            }
            else
            {
                Assert.InRange(card.ReferenceApplicant.Number(f.Index), f.Min, f.Max);
            }
        }
    }
}
