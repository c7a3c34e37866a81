using ScottPlot;

namespace CreditRisk.Trainer;

/// <summary>The report's two charts (ScottPlot 5), from pooled out-of-fold PDs.</summary>
public static class Charts
{
    private const int Width = 800;
    private const int Height = 500;

    public static void CostVsThreshold(string path, CandidateResult chosen, CandidateResult? linear, double bayes)
    {
        var plot = new Plot();
        AddCurve(plot, chosen, "chosen: " + chosen.Candidate.Kind);
        if (linear is not null && linear != chosen)
        {
            AddCurve(plot, linear, "best logistic regression");
        }

        var at = plot.Add.VerticalLine(chosen.Best.Threshold);
        at.LegendText = $"chosen threshold {chosen.Best.Threshold:F3}";
        var b = plot.Add.VerticalLine(bayes);
        b.LegendText = "Bayes threshold 1/6";
        b.LinePattern = LinePattern.Dashed;
        var reject = plot.Add.HorizontalLine(0.7);
        reject.LegendText = "reject everyone (0.70)";
        reject.LinePattern = LinePattern.Dotted;
        plot.Axes.SetLimits(0, 1, 0, 1.6);
        plot.Title("Out-of-fold cost per applicant against the decision threshold");
        plot.XLabel("threshold (reject when PD > threshold)");
        plot.YLabel("cost per applicant (5·FN + 1·FP) / N");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    public static void Roc(string path, CandidateResult chosen, CandidateResult? linear)
    {
        var plot = new Plot();
        foreach (var (r, label) in new[] { (chosen, $"chosen: {chosen.Candidate.Kind} (AUC {chosen.Auc:F3})"), (linear, $"best logistic regression (AUC {linear?.Auc:F3})") })
        {
            if (r is null || (r == linear && linear == chosen))
            {
                continue;
            }

            var roc = Metrics.Roc(r.Curve);
            var line = plot.Add.ScatterLine(roc.Select(p => p.Fpr).ToArray(), roc.Select(p => p.Tpr).ToArray());
            line.LegendText = label;
        }

        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dashed;
        chance.LegendText = "chance";
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Title("ROC, out of fold");
        plot.XLabel("false-positive rate (good payers rejected)");
        plot.YLabel("true-positive rate (defaults rejected)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    private static void AddCurve(Plot plot, CandidateResult r, string label)
    {
        var line = plot.Add.ScatterLine(r.Curve.Select(p => p.Threshold).ToArray(), r.Curve.Select(p => p.CostPerApplicant).ToArray());
        line.LegendText = label;
    }
}
