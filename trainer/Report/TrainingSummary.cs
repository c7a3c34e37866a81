using CreditRisk.Trainer.Export;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Report;

/// <summary><c>training-summary.json</c>: the report's numbers for machines (CI, the page, monitoring baselines).</summary>
public sealed partial record TrainingSummary(
    SelectedModel Selected,
    string Procedure,
    double Threshold,
    double BayesThreshold,
    string DecisionRule,
    SelectionCvSummary SelectionCv,
    NestedCvSummary? NestedCv,
    IReadOnlyList<CandidateSummary> Candidates,
    CalibrationReport Calibration,
    CalibrationReport? NestedCalibration,
    BusinessView Business,
    IReadOnlyList<GroupOutcome> Fairness,
    IReadOnlyList<FairnessVerdict> FairnessVerdicts,
    IReadOnlyDictionary<string, double[]> FairnessCuts,
    IReadOnlyDictionary<string, double[]> TrainingRanges,
    IReadOnlyList<FeatureImportance> PermutationImportance,
    IReadOnlyList<ReasonFrequency> ReasonFrequencies,
    IReadOnlyList<string> ProtectedAttributes,
    string Dataset,
    int Seed,
    string TrainingDataSha256,
    double WallSeconds)
{
    public const string ProcedureText = "per learner family the candidate with the lowest smoothed out-of-fold cost; mean PD of the family winners; " +
        "threshold minimising the smoothed cost of the mean; protected attributes never inputs (docs/preregistration.md)";

    public static TrainingSummary Of(ReportFacts f, TimeSpan elapsed)
    {
        var chosen = f.Chosen;
        var n = f.Nested;
        return new TrainingSummary(
            new SelectedModel(chosen.Candidate.Name, chosen.Candidate.Kind.ToString(), chosen.Candidate.HyperparameterStrings, [.. f.Outcome.Members.Select(m => m.Candidate.Name)]),
            ProcedureText,
            chosen.Best.Threshold,
            f.Costs.BayesThreshold,
            ModelFile.DecisionRule,
            new SelectionCvSummary(f.Options.Folds, f.Repeats, f.Options.Smoothing, chosen.SelectionCost, chosen.Best.CostPerApplicant, chosen.Cost.Ci95Low, chosen.Cost.Ci95High,
                chosen.AtBayes.CostPerApplicant, f.AtHalf.CostPerApplicant),
            n is null ? null : new NestedCvSummary(n.OuterSeed, n.OuterFolds, n.Repeats, n.InnerFolds, n.InnerRepeats, n.Procedure, n.ProcedureAuc, n.SeedRecipe, n.RejectAll, n.AcceptAll,
                n.Picks, n.Variants, n.FixedCandidates, n.DifferenceFromProcedure, n.Compliance, n.WallSeconds),
            [.. f.Outcome.Candidates.Select(r => new CandidateSummary(r.Candidate.Name, r.SelectionCost, r.Best.CostPerApplicant, r.Cost.Ci95Low, r.Cost.Ci95High, r.Best.Threshold,
                r.Best.Confusion.FalseNegatives / (double)f.Repeats, r.Best.Confusion.FalsePositives / (double)f.Repeats, r.AtBayes.CostPerApplicant, r.Auc, r.Ks))],
            f.Calibration,
            f.NestedCalibration,
            f.BusinessView,
            f.Fairness,
            f.Verdicts,
            // The protected numbers' group cut points, so monitoring groups live decisions as the report did (FairnessBands).
            f.Spec.Protected.Where(a => a.IsNumber).ToDictionary(a => a.Name, a => Report.Fairness.Cuts(f.Spec, a, f.Data.Rows)),
            // Each numeric input's lowest and highest training value: the server refers an applicant outside them (Refer:OutsideTrainingRange).
            TrainingRangesOf(f),
            f.Importance,
            f.ReasonCounts,
            [.. f.Spec.Protected.Select(a => a.Name)],
            f.Spec.Name,
            f.Options.Seed,
            f.Data.Sha256,
            Math.Round(elapsed.TotalSeconds, 1))
        {
            OutOfTime = n?.OutOfTime is { Windows: { } w } oot
                ? new OutOfTimeSummary(OutOfTimeSplit.ProcedureId, OutOfTimeSplit.Rule, w, oot.Procedure, oot.Procedure.Ci95High - oot.Procedure.Ci95Low, oot.ProcedureAuc, oot.AcceptAll, oot.RejectAll, oot.WallSeconds)
                : null,
        };
    }
}

public sealed partial record TrainingSummary
{
    /// <summary>The out-of-time estimate (the card's headline) of a spec with a date column; absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public OutOfTimeSummary? OutOfTime { get; init; }

    private static Dictionary<string, double[]> TrainingRangesOf(ReportFacts f)
    {
        var ranges = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var input in f.Spec.Inputs.Where(i => i.IsNumber))
        {
            var i = f.Spec.IndexOf(input);
            var values = f.Data.Rows.Select(r => r.Numbers[i]).Where(float.IsFinite).ToArray();
            if (values.Length > 0)
            {
                ranges[input.Name] = [values.Min(), values.Max()];
            }
        }

        return ranges;
    }
}

public sealed record SelectedModel(string Candidate, string Learner, IReadOnlyDictionary<string, string> Hyperparameters, IReadOnlyList<string> Members);

public sealed record SelectionCvSummary(int Folds, int Repeats, double Smoothing, double SelectionScore, double CostPerApplicant, double Ci95Low, double Ci95High, double CostAtBayes, double CostAtHalf);

public sealed record NestedCvSummary(
    int OuterSeed,
    int OuterFolds,
    int Repeats,
    int InnerFolds,
    int InnerRepeats,
    CostEstimate Procedure,
    double Auc,
    CostEstimate SeedRecipe,
    CostEstimate RejectAll,
    CostEstimate AcceptAll,
    IReadOnlyDictionary<string, int> Picks,
    IReadOnlyDictionary<string, CostEstimate> Variants,
    IReadOnlyDictionary<string, CostEstimate> FixedCandidates,
    IReadOnlyDictionary<string, CostEstimate> DifferenceFromProcedure,
    ComplianceCost? Compliance,
    double WallSeconds);

/// <summary>The out-of-time estimate as the report states it: the rule, the windows, the cost with its interval and width, the time taken.</summary>
public sealed record OutOfTimeSummary(string Procedure, string Rule, CreditRisk.Contracts.OutOfTimeWindows Windows, CostEstimate Cost, double Ci95Width, double Auc,
    CostEstimate AcceptAll, CostEstimate RejectAll, double WallSeconds);

public sealed record CandidateSummary(string Name, double SelectionScore, double CostPerApplicant, double Ci95Low, double Ci95High, double Threshold,
    double FalseNegativesPerRepeat, double FalsePositivesPerRepeat, double CostAtBayes, double Auc, double Ks);
