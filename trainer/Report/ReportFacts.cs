using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Export;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Report;

/// <summary>Every figure the report, the summary and the model card show, computed once.</summary>
public sealed record ReportFacts(
    TrainerOptions Options,
    CreditData Data,
    TrainingOutcome Outcome,
    CostMatrix Costs,
    bool[] IsBad,
    float[] MeanOutOfFoldPd,
    ThresholdPoint AtHalf,
    CalibrationReport Calibration,
    CalibrationReport? NestedCalibration,
    CalibrationReport? NestedRecalibrated,
    BusinessView BusinessView,
    IReadOnlyList<GroupOutcome> Fairness,
    IReadOnlyList<FairnessVerdict> Verdicts,
    IReadOnlyList<FeatureImportance> Importance,
    IReadOnlyList<ReasonFrequency> ReasonCounts,
    int Rejects)
{
    public DatasetSpec Spec => Data.Spec;

    public CandidateResult Chosen => Outcome.Chosen;

    public NestedCvResult? Nested => Outcome.Nested;

    public int Rows => IsBad.Length;

    public int Bad => IsBad.Count(b => b);

    public double BadRate => Bad / (double)Rows;

    public int Repeats => Chosen.OutOfFold.Length;

    /// <summary>The recalibration step the pre-registered rule added, or null.</summary>
    public Platt? Recalibration => Chosen.Candidate.Recalibration;

    /// <summary>Nested-CV calibration of what ships: the procedure's, whose PDs carry the recalibration decision of each
    /// outer training set (issue 31), so the same whether or not the rule fired on all rows.</summary>
    public CalibrationReport? ShippedNestedCalibration => NestedCalibration;

    public double AcceptAllCost => Costs.FalseNegative * BadRate;

    public double RejectAllCost => Costs.FalsePositive * (1 - BadRate);

    public static ReportFacts Compute(TrainerOptions options, CreditData data, TrainingOutcome outcome)
    {
        var spec = data.Spec;
        var costs = CostMatrix.Of(spec);
        var chosen = outcome.Chosen;
        var isBad = data.Rows.Select(r => r.IsBad).ToArray();
        var (pooledPd, pooledBad) = CandidateResult.Pool(chosen.OutOfFold, isBad);
        var meanPd = FittedModel.Mean(chosen.OutOfFold);
        var nested = outcome.Nested;
        var fairness = Report.Fairness.Outcomes(spec, data.Rows, chosen.OutOfFold, chosen.Best.Threshold, costs, options.MinGroupSize);
        var training = new Training(spec, options.Seed);
        var reference = outcome.Reference ?? ReferenceValues.FindRecord(outcome.Model, data.Rows);
        var reasons = Explanations.ReasonFrequencies(outcome.Model, reference, data.Rows, chosen.Best.Threshold, out var rejects);
        return new ReportFacts(
            options,
            data,
            outcome,
            costs,
            isBad,
            meanPd,
            CandidateResult.Point(pooledPd, pooledBad, 0.5, costs),
            CalibrationReport.Of(meanPd, isBad),
            nested is null ? null : CalibrationReport.Of(nested.ProcedurePd, isBad),
            nested is null ? null : CalibrationReport.Of(nested.RecalibratedPd, isBad),
            BusinessView.Of(chosen.OutOfFold, isBad, chosen.Best.Threshold, costs, chosen.Auc),
            fairness,
            Report.Fairness.Verdicts(fairness),
            Explanations.PermutationImportance(training, chosen.Candidate, ReferenceValues.Sample(data.Rows), options.Folds, options.Seed),
            reasons,
            rejects);
    }
}

/// <summary>One PD band: how many applicants, how risky they turned out, how many the rule approves.</summary>
public sealed record RiskGrade(string Grade, string Band, int Applicants, double Share, double MeanPd, double BadRate, double ApprovalRate);

/// <summary>Share of defaulters among the riskiest <see cref="Share"/> of applicants, and the lift over random order.</summary>
public sealed record GainsPoint(double Share, double Captured, double Lift);

/// <summary>The rule as a lender sees it, on out-of-fold PDs (decisions averaged over repeats).</summary>
public sealed record BusinessView(
    double ApprovalRate,
    double BadRateApproved,
    double BadRateRejected,
    double CostPer1000,
    double Gini,
    IReadOnlyList<RiskGrade> Grades,
    IReadOnlyList<GainsPoint> Gains)
{
    /// <summary>Upper PD edges of the grades A–G (the last is open).</summary>
    private static readonly double[] GradeEdges = [0.05, 0.10, 0.15, 0.25, 0.40, 0.60, 1.0];

    private static readonly double[] GainsShares = [0.05, 0.10, 0.20, 0.30, 0.40, 0.50];

    public static BusinessView Of(float[][] outOfFold, bool[] isBad, double threshold, CostMatrix costs, double auc)
    {
        double approved = 0, approvedBad = 0, rejectedBad = 0, cost = 0;
        foreach (var pd in outOfFold)
        {
            for (var i = 0; i < isBad.Length; i++)
            {
                var rejected = Decisions.Rejects(pd[i], threshold);
                approved += rejected ? 0 : 1;
                approvedBad += !rejected && isBad[i] ? 1 : 0;
                rejectedBad += rejected && isBad[i] ? 1 : 0;
                cost += costs.Cost(isBad[i], rejected);
            }
        }

        var n = (double)isBad.Length * outOfFold.Length;
        var rejectedCount = n - approved;
        var meanPd = FittedModel.Mean(outOfFold);
        var grades = new List<RiskGrade>();
        var lower = 0.0;
        for (var g = 0; g < GradeEdges.Length; g++)
        {
            var upper = GradeEdges[g];
            var last = g == GradeEdges.Length - 1;
            var members = Enumerable.Range(0, isBad.Length).Where(i => (g == 0 || meanPd[i] > lower) && (last || meanPd[i] <= upper)).ToArray();
            var approvals = outOfFold.Sum(pd => members.Count(i => !Decisions.Rejects(pd[i], threshold)));
            grades.Add(new RiskGrade(((char)('A' + g)).ToString(), last ? $"> {lower * 100:0} %" : $"{lower * 100:0}–{upper * 100:0} %", members.Length, members.Length / (double)isBad.Length,
                members.Length == 0 ? double.NaN : members.Average(i => (double)meanPd[i]), members.Length == 0 ? double.NaN : members.Count(i => isBad[i]) / (double)members.Length,
                members.Length == 0 ? double.NaN : approvals / ((double)members.Length * outOfFold.Length)));
            lower = upper;
        }

        var order = Enumerable.Range(0, isBad.Length).OrderByDescending(i => meanPd[i]).ThenBy(i => i).ToArray();
        var totalBad = Math.Max(1, isBad.Count(b => b));
        var gains = GainsShares.Select(s =>
        {
            var k = (int)Math.Round(s * order.Length);
            var captured = order.Take(k).Count(i => isBad[i]) / (double)totalBad;
            return new GainsPoint(s, captured, captured / s);
        }).ToArray();
        return new BusinessView(approved / n, approved == 0 ? double.NaN : approvedBad / approved, rejectedCount == 0 ? double.NaN : rejectedBad / rejectedCount,
            cost / n * 1000, 2 * auc - 1, grades, gains);
    }
}
