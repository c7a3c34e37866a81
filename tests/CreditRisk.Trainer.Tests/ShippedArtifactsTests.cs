using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Export;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Tests;

/// <summary>The committed artifacts/german-credit/model.onnx loads in ONNX Runtime and reproduces the committed golden.json.</summary>
public class ShippedArtifactsTests
{
    private static string Artifact(string name) => Path.Combine(AppContext.BaseDirectory, "artifacts", name);

    [Fact]
    public void Shipped_model_reproduces_the_golden_file()
    {
        var (threshold, rows) = Golden.Read(TestData.Spec, File.ReadAllText(Artifact("golden.json")));
        using var scorer = new OnnxScorer(File.ReadAllBytes(Artifact("model.onnx")));
        Assert.Equal(threshold, double.Parse(scorer.Metadata[ModelMetadataKeys.Threshold], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1000, rows.Count(r => r.Row.Kind == "data"));
        Assert.Contains(rows, r => r.Row.Kind == "unseen");
        Assert.Contains(rows, r => r.Row.Kind == "edge");

        var pd = scorer.Score(TestData.Spec, rows.Select(r => r.Row.Record).ToArray());
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.True(Math.Abs(pd[i] - rows[i].Pd) <= OnnxExport.Tolerance, $"row {i}: {pd[i]} vs {rows[i].Pd}");
            Assert.Equal(rows[i].Decision, Decisions.Rejects(pd[i], rows[i].RowThreshold) ? Decisions.Reject : Decisions.Approve);
            Assert.Equal((float)threshold, (float)rows[i].RowThreshold); // constant costs: every applicant's threshold is the card's (as float, the graph's type)
        }
    }

    [Fact]
    public void Shipped_model_carries_its_card_and_matches_the_sidecar_and_the_data()
    {
        var bytes = File.ReadAllBytes(Artifact("model.onnx"));
        using var scorer = new OnnxScorer(bytes);
        var card = JsonSerializer.Deserialize<ModelCard>(scorer.Metadata[ModelMetadataKeys.ModelCard], ModelFile.CardJson)!;
        var sidecar = JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(Artifact("model.json")), ModelFile.CardJson)!;
        Assert.Equal(card.Threshold, sidecar.Threshold);
        Assert.Equal(JsonSerializer.Serialize(card.ReferenceApplicant), JsonSerializer.Serialize(sidecar.ReferenceApplicant)); // JsonElement compares by reference
        // The sidecar names the version the server reports (the hash of graph and card) and the file's SHA-256.
        var sidecarJson = JsonDocument.Parse(File.ReadAllText(Artifact("model.json"))).RootElement;
        Assert.Equal(ModelIdentity.Of(bytes, scorer.Metadata[ModelMetadataKeys.ModelCard]), sidecarJson.GetProperty("modelVersion").GetString());
        Assert.Equal(scorer.Metadata[ModelMetadataKeys.ContentHash], sidecarJson.GetProperty("modelVersion").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), sidecarJson.GetProperty("onnxSha256").GetString());
        Assert.Equal(TestData.Credit.Sha256, card.TrainingDataSha256);
        Assert.Equal(ModelCard.CurrentVersion, card.CardVersion);
        Assert.Equal(TestData.Spec.ToJson(), card.Dataset.ToJson());
        Assert.InRange(card.Threshold, 0.01, 0.99);
        Assert.True(card.NestedCv.OuterFolds > 0, "the shipped card should carry nested-CV results");
        Assert.InRange(card.NestedCv.CostPerApplicant, card.NestedCv.Ci95Low, card.NestedCv.Ci95High);
        Assert.Equal(card.Dataset.Inputs.Select(f => f.Name), card.ReferenceApplicant.Keys);
        foreach (var f in card.Dataset.Inputs)
        {
            var value = card.ReferenceApplicant[f.Name];
            if (f.IsCategory)
            {
                Assert.NotNull(f.Resolve(value.GetString()!));
            }
            else
            {
                Assert.True(f.Accepts(value.GetDouble()), f.Name);
            }
        }
    }
}

/// <summary>Every shipped model (artifacts/&lt;name&gt;/) embeds its data set's spec and reproduces its golden file in ONNX Runtime.</summary>
public class EveryShippedModelTests
{
    public static TheoryData<string> Datasets => ["german-credit", "lending-club"];

    [Theory]
    [MemberData(nameof(Datasets))]
    public void The_shipped_model_embeds_its_spec_and_reproduces_its_golden_file(string name)
    {
        var folder = Path.Combine(Paths.Root, "artifacts", name);
        var spec = DatasetSpecSchema.Load(Path.Combine(Paths.Root, "data", name, "dataset.json"));
        using var scorer = new OnnxScorer(File.ReadAllBytes(Path.Combine(folder, "model.onnx")));
        var card = JsonSerializer.Deserialize<ModelCard>(scorer.Metadata[ModelMetadataKeys.ModelCard], ModelFile.CardJson)!;
        Assert.Equal(spec.ToJson(), card.Dataset.ToJson());
        Assert.Equal(name, scorer.Metadata[ModelMetadataKeys.Dataset]);
        Assert.Equal(spec.Inputs.Select(f => f.Name).Order(), scorer.Inputs.Keys.Order());
        Assert.True(card.NestedCv.OuterFolds > 0, "the shipped card should carry nested-CV results");

        var (threshold, rows) = Golden.Read(spec, File.ReadAllText(Path.Combine(folder, "golden.json")));
        Assert.Equal(card.TrainingRows, rows.Count(r => r.Row.Kind == "data"));
        var pd = scorer.Score(spec, rows.Select(r => r.Row.Record).ToArray());
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.True(Math.Abs(pd[i] - rows[i].Pd) <= OnnxExport.Tolerance, $"{name} row {i}: {pd[i]} vs {rows[i].Pd}");
            Assert.Equal(rows[i].Decision, Decisions.Decide(pd[i], rows[i].RowThreshold));
        }

        // The graph's own decision outputs reproduce the golden file's (threshold, decision, amounts, points).
        var decisions = scorer.ScoreDecisions(spec, rows.Select(r => r.Row.Record).ToArray());
        OnnxExport.VerifyDecisions(decisions, Money.Of(spec, rows.Select(r => r.Row.Record).ToArray()), [.. rows.Select(r => r.Pd)], threshold, spec.Costs.Points ?? PointsScale.Default);
        Assert.Equal(rows.Select(r => r.Decision == Decisions.Approve), decisions.Approve);
        Assert.Equal(spec.Costs.Loan is null ? DecisionEconomics.Constant : DecisionEconomics.Loan, card.Economics?.Basis);
    }

    /// <summary>
    /// The shipped Lending Club file alone: applicants who differ from a golden row only in rate get different
    /// thresholds (only in amount: the same threshold, since the spec has no cost per loan, but amounts and expected
    /// profit that scale); every decision is the sign of its expected profit, on these and on every golden row.
    /// </summary>
    [Fact]
    public void The_shipped_lending_club_file_decides_each_loan_by_the_sign_of_its_own_expected_profit()
    {
        var folder = Path.Combine(Paths.Root, "artifacts", "lending-club");
        var spec = DatasetSpecSchema.Load(Path.Combine(Paths.Root, "data", "lending-club", "dataset.json"));
        var (_, golden) = Golden.Read(spec, File.ReadAllText(Path.Combine(folder, "golden.json")));
        var data = golden.Where(r => r.Row.Kind == "data").Select(r => r.Row.Record).ToArray();
        int At(string name) => spec.IndexOf(spec.Find(name)!);
        CreditRecord With(string name, float value) => data[0].With(At(name), data[0].Categories[At(name)], value);
        CreditRecord[] rows = [With("interestRate", 6), With("interestRate", 25), With("fundedAmount", 1000), With("fundedAmount", 35000), .. data];
        using var scorer = new OnnxScorer(File.ReadAllBytes(Path.Combine(folder, "model.onnx")));
        var d = scorer.ScoreDecisions(spec, rows);

        Assert.True(d.Threshold[1] > d.Threshold[0] + 0.1, $"rate 25 % threshold {d.Threshold[1]} against rate 6 % {d.Threshold[0]}");
        Assert.Equal(d.Threshold[2], d.Threshold[3], 1e-5);
        Assert.Equal(35, d.Loss[3] / d.Loss[2], 1e-4);
        Assert.NotEqual(d.ExpectedProfit[2], d.ExpectedProfit[3]);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.True(float.IsFinite(d.ExpectedProfit[i]), $"row {i}");
            Assert.Equal(d.ExpectedProfit[i] > 0, d.Approve[i]);
            Assert.Equal(!(d.Pd[i] > d.Threshold[i]), d.Approve[i]);
        }

        Assert.True(d.Threshold.Skip(4).Distinct().Count() > 100, "thresholds vary loan by loan");
        Assert.Contains(false, d.Approve.Skip(4));
    }

    /// <summary>
    /// The monitoring baseline in the card: every attribute but ids, with shares that add up, and PD bands whose rows
    /// are every out-of-fold PD (rows × repeats), whose pooled bad rate is therefore the data's, and which cut the PDs
    /// at the baseline's own PD edges.
    /// </summary>
    [Theory]
    [MemberData(nameof(Datasets))]
    public void The_shipped_card_carries_the_monitoring_baseline(string name)
    {
        var folder = Path.Combine(Paths.Root, "artifacts", name);
        var spec = DatasetSpecSchema.Load(Path.Combine(Paths.Root, "data", name, "dataset.json"));
        using var scorer = new OnnxScorer(File.ReadAllBytes(Path.Combine(folder, "model.onnx")));
        var card = JsonSerializer.Deserialize<ModelCard>(scorer.Metadata[ModelMetadataKeys.ModelCard], ModelFile.CardJson)!;
        var baseline = Assert.IsType<MonitoringBaseline>(card.Monitoring);

        Assert.Equal(card.TrainingRows, baseline.Rows);
        Assert.Equal(spec.Features.Where(f => f.Role != FeatureRole.Id).Select(f => f.Name), baseline.Features.Select(f => f.Name));
        Assert.All(baseline.Features, f => Assert.Equal(1.0, f.Distribution.Shares.Sum(), 9));
        Assert.Equal(baseline.Pd.Shares.Count, baseline.PdBands.Count);
        var pooled = baseline.PdBands.Sum(b => b.Rows);
        Assert.Equal(0, pooled % card.TrainingRows);
        var data = CreditData.Load(Path.Combine(Paths.Root, "data", name, "dataset.json"));
        var badRate = (double)data.Rows.Count(r => r.IsBad) / data.Rows.Count;
        Assert.Equal(badRate, baseline.PdBands.Sum(b => b.BadRate * b.Rows) / pooled, 9);
        for (var b = 0; b < baseline.PdBands.Count; b++)
        {
            Assert.Equal(baseline.Pd.Shares[b], (double)baseline.PdBands[b].Rows / pooled, 9);
            Assert.InRange(baseline.PdBands[b].MeanPd, baseline.PdBands[b].Low ?? 0, baseline.PdBands[b].High ?? 1);
        }

        // Calibrated out of fold: the mean PD is the data's bad rate within a few points.
        Assert.InRange(baseline.MeanPd, badRate - 0.05, badRate + 0.05);
    }
}
