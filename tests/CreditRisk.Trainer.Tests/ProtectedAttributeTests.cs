using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Export;

namespace CreditRisk.Trainer.Tests;

/// <summary>
/// Issue 15: the shipped German Credit model cannot use a protected attribute. The real ONNX file in ONNX Runtime:
/// no graph input is protected, and varying each protected attribute alone over all its values, for all 1,000
/// applicants, leaves every PD bit-identical.
/// </summary>
public class ProtectedAttributeTests
{
    private static string Artifact(string name) => Path.Combine(AppContext.BaseDirectory, "artifacts", name);

    private static readonly string[] Declared = ["personalStatusSex", "age", "foreignWorker"];

    [Fact]
    public void The_spec_declares_personal_status_sex_age_and_foreign_worker_protected()
    {
        Assert.Equal(Declared, TestData.Spec.Protected.Select(f => f.Name));
        Assert.All(TestData.Spec.Protected, f => Assert.DoesNotContain(f, TestData.Spec.Inputs));
    }

    [Fact]
    public void No_protected_attribute_is_an_input_of_the_shipped_graph_or_of_its_card()
    {
        using var scorer = new OnnxScorer(File.ReadAllBytes(Artifact("model.onnx")));
        Assert.Equal(TestData.Spec.Inputs.Select(f => f.Name).Order(StringComparer.Ordinal), scorer.Inputs.Keys.Order(StringComparer.Ordinal));
        Assert.All(Declared, name => Assert.DoesNotContain(name, scorer.Inputs.Keys));
        var card = JsonSerializer.Deserialize<ModelCard>(scorer.Metadata[ModelMetadataKeys.ModelCard], ModelFile.CardJson)!;
        Assert.Equal(Declared, card.Dataset.Protected.Select(f => f.Name));
        Assert.Equal(Declared, card.ExcludedFeatures);
        Assert.All(Declared, name => Assert.DoesNotContain(name, card.ReferenceApplicant.Keys));
    }

    [Fact]
    public void Varying_each_protected_attribute_alone_leaves_every_pd_bit_identical()
    {
        var spec = TestData.Spec;
        var rows = TestData.Credit.Rows;
        Assert.Equal(1000, rows.Count);
        using var scorer = new OnnxScorer(File.ReadAllBytes(Artifact("model.onnx")));
        var baseline = scorer.Score(spec, rows);
        Assert.Contains(baseline, pd => pd > 0.5f); // a real model, not a constant
        foreach (var f in spec.Protected)
        {
            var position = spec.IndexOf(f);
            var values = f.IsCategory
                ? f.Values.Select(v => (Category: (string?)v.Value, Number: 0f)).ToArray()
                : Enumerable.Range((int)f.Min!.Value, (int)(f.Max!.Value - f.Min.Value) + 1).Select(v => (Category: (string?)null, Number: (float)v)).ToArray();
            Assert.True(values.Length >= 2, f.Name);
            foreach (var (category, number) in values)
            {
                var varied = scorer.Score(spec, rows.Select(r => r.With(position, category ?? r.Categories[position], f.IsNumber ? number : r.Numbers[position])).ToArray());
                for (var i = 0; i < rows.Count; i++)
                {
                    Assert.True(BitConverter.SingleToInt32Bits(baseline[i]) == BitConverter.SingleToInt32Bits(varied[i]),
                        $"{f.Name} = {category ?? number.ToString(System.Globalization.CultureInfo.InvariantCulture)} changed applicant {i}'s PD: {baseline[i]} → {varied[i]}");
                }
            }
        }
    }
}
