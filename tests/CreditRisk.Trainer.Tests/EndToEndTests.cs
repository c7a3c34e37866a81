using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Export;
using CreditRisk.Trainer.Report;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Tests;

/// <summary>A small training run on the real data (one candidate per family, one repeat), start to finish.</summary>
[Collection(TrainerRuns.Name)]
public sealed class EndToEndTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "creditrisk-trainer-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Quick_run_writes_a_verified_model_golden_rows_report_and_summary()
    {
        string[] args = ["--quick", "--out", _out, "--dataset", TestData.SpecPath];

        // Nested CV first (its own command), then the default run, which must pick the cached result up.
        var nested = TrainerRun.Nested(TrainerOptions.Parse([.. args, "--nested"]));
        Assert.Equal(5, nested.OuterFolds);
        Assert.InRange(nested.Procedure.Mean, 0.35, 0.75);
        Assert.InRange(nested.Procedure.Mean, nested.Procedure.Ci95Low, nested.Procedure.Ci95High);
        Assert.Equal(0.7, nested.RejectAll.Mean, 9);
        Assert.Equal(1.5, nested.AcceptAll.Mean, 9);
        Assert.Equal(5 * Candidate.Grid(quick: true).Count, nested.Picks.Values.Sum()); // one winner per family per outer fold

        var options = TrainerOptions.Parse(args);
        var outcome = TrainerRun.Train(options);
        Assert.NotNull(outcome.Nested);

        Assert.Equal(Candidate.Grid(quick: true).Count, outcome.Candidates.Count);
        Assert.InRange(outcome.Chosen.Best.CostPerApplicant, 0.3, 0.7); // beats rejecting everyone
        foreach (var file in (string[])["model.onnx", "model.json", "golden.json", .. ReportWriter.Files])
        {
            Assert.True(new FileInfo(Path.Combine(_out, file)).Length > 0, file);
        }

        using var scorer = new OnnxScorer(File.ReadAllBytes(Path.Combine(_out, "model.onnx")));
        var card = JsonSerializer.Deserialize<ModelCard>(scorer.Metadata[ModelMetadataKeys.ModelCard], ModelFile.CardJson)!;
        Assert.Equal(outcome.Chosen.Best.Threshold, card.Threshold);
        Assert.Equal("Ensemble", card.Learner);
        Assert.Equal(outcome.Members.Select(m => m.Candidate.Name), card.Hyperparameters.Where(h => h.Key.StartsWith("member", StringComparison.Ordinal)).Select(h => h.Value));
        Assert.Equal(Candidate.Grid(quick: true).Select(c => c.Kind).Distinct().Count(), outcome.Members.Count);
        Assert.Equal(nested.Procedure.Mean, card.NestedCv.CostPerApplicant);
        Assert.Equal(5, card.NestedCv.OuterFolds);
        var report = File.ReadAllText(Path.Combine(_out, "report.md"));
        foreach (var section in (string[])["## Cost of compliance", "## Calibration", "## Business view", "## Fairness", "## Explanations"])
        {
            Assert.Contains(section, report, StringComparison.Ordinal);
        }

        // German Credit's protected attributes: compared by group, never reasons, and their cost measured on the same folds.
        Assert.Contains("adverse-impact ratio", report, StringComparison.Ordinal);
        Assert.NotNull(nested.Compliance);
        Assert.Equal(["personalStatusSex", "age", "foreignWorker"], nested.Compliance.Attributes);
        Assert.Equal(1000, nested.ProcedurePd.Count);
        Assert.DoesNotContain("Foreign worker status", report, StringComparison.Ordinal); // a reason text the spec no longer has
        var modelCard = File.ReadAllLines(Path.Combine(_out, ModelCardPage.File));
        Assert.Equal("# Model card: German Credit (UCI Statlog)", modelCard[0]);
        Assert.Contains("seed recipe", report, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, "training-summary.json")));
        Assert.Equal(card.Threshold, summary.RootElement.GetProperty("threshold").GetDouble());
    }

    public void Dispose()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }
}
