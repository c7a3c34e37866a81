using CreditRisk.Trainer.Selection;
using ScottPlot;

namespace CreditRisk.Trainer.Report;

/// <summary>
/// The report's charts (ScottPlot 5), from out-of-fold PDs, styled for a reviewer: a sans-serif font, large tick
/// labels, axes labelled with their units.
/// </summary>
public static class Charts
{
    public const string CostFile = "cost-vs-threshold.png";
    public const string RocFile = "roc.png";
    public const string ReliabilityFile = "reliability.png";
    public const string GainsFile = "gains.png";

    public static readonly string[] Files = [CostFile, RocFile, ReliabilityFile, GainsFile];

    /// <summary>The money view's chart (a spec with loan-level economics and its nested run only, so not in <see cref="Files"/>).</summary>
    public const string ProfitFile = "profit-curve.png";

    private const int Width = 900;
    private const int Height = 560;

    /// <summary>A common sans-serif face (DejaVu Sans ships with most Linux images; SkiaSharp falls back to a sans otherwise).</summary>
    private const string Font = "DejaVu Sans";

    public static void CostVsThreshold(string path, CandidateResult chosen, CandidateResult? linear, CostMatrix costs, double rejectAllCost)
    {
        var plot = new Plot();
        AddCurve(plot, chosen, "shipped model");
        if (linear is not null && linear != chosen)
        {
            AddCurve(plot, linear, "best logistic regression alone");
        }

        var at = plot.Add.VerticalLine(chosen.Best.Threshold);
        at.LegendText = $"chosen threshold {chosen.Best.Threshold:F3}";
        var b = plot.Add.VerticalLine(costs.BayesThreshold);
        b.LegendText = $"Bayes threshold {costs.BayesThreshold:F3}";
        b.LinePattern = LinePattern.Dashed;
        var reject = plot.Add.HorizontalLine(rejectAllCost);
        reject.LegendText = $"reject everyone ({rejectAllCost:F2})";
        reject.LinePattern = LinePattern.Dotted;
        plot.Axes.SetLimits(0, 1, 0, Math.Max(1.6, rejectAllCost * 1.3));
        // Upper left: the curves start at the reject-all cost and climb to the right.
        Style(plot, "Out-of-fold cost against the decision threshold",
            "threshold: reject when PD > threshold (probability, 0–1)",
            $"cost per applicant ({costs.FalseNegative:0.##}·FN + {costs.FalsePositive:0.##}·FP) / N");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }

    public static void Roc(string path, CandidateResult chosen, CandidateResult? linear)
    {
        var plot = new Plot();
        foreach (var (r, label) in new[] { (chosen, $"shipped model (AUC {chosen.Auc:F3})"), (linear, $"best logistic regression alone (AUC {linear?.Auc:F3})") })
        {
            if (r is null || (r == linear && linear == chosen))
            {
                continue;
            }

            var roc = Metrics.Roc(r.Curve);
            var line = plot.Add.ScatterLine(roc.Select(p => p.Fpr * 100).ToArray(), roc.Select(p => p.Tpr * 100).ToArray());
            line.LegendText = label;
            line.LineWidth = 2;
        }

        var chance = plot.Add.Line(0, 0, 100, 100);
        chance.LinePattern = LinePattern.Dashed;
        chance.LegendText = "chance";
        plot.Axes.SetLimits(0, 100, 0, 100);
        Style(plot, "ROC, out of fold", "good payers rejected (false-positive rate, %)", "defaulters rejected (true-positive rate, %)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Observed bad rate against mean PD per equal-count bin, with Wilson 95 % intervals, and the diagonal.</summary>
    public static void Reliability(string path, IReadOnlyList<(string Label, IReadOnlyList<ReliabilityBin> Bins)> series)
    {
        var plot = new Plot();
        var max = Math.Min(100, Math.Ceiling(series.SelectMany(s => s.Bins).Max(b => Math.Max(b.MeanPd, b.Ci95High)) * 10) * 10);
        var ideal = plot.Add.Line(0, 0, max, max);
        ideal.LinePattern = LinePattern.Dashed;
        ideal.LegendText = "perfect calibration";
        foreach (var (label, bins) in series)
        {
            var xs = bins.Select(b => b.MeanPd * 100).ToArray();
            var ys = bins.Select(b => b.BadRate * 100).ToArray();
            var points = plot.Add.Scatter(xs, ys);
            points.LegendText = label;
            points.MarkerSize = 9;
            points.LineWidth = 1;
            var bars = plot.Add.ErrorBar(xs, ys, bins.Select(b => (b.BadRate - b.Ci95Low) * 100).ToArray());
            bars.YErrorPositive = bins.Select(b => (b.Ci95High - b.BadRate) * 100).ToArray();
            bars.Color = points.Color;
        }

        plot.Axes.SetLimits(0, max, 0, max);
        Style(plot, "Reliability: observed bad rate against predicted PD (10 equal-count bins, 95 % CI)",
            "mean predicted PD in the bin (%)", "observed bad rate in the bin (%)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Cumulative gains: share of all defaulters among the riskiest x % of applicants.</summary>
    public static void Gains(string path, IReadOnlyList<float> pd, IReadOnlyList<bool> isBad)
    {
        var order = Enumerable.Range(0, pd.Count).OrderByDescending(i => pd[i]).ThenBy(i => i).ToArray();
        var totalBad = Math.Max(1, isBad.Count(b => b));
        var xs = new List<double> { 0 };
        var ys = new List<double> { 0 };
        var bad = 0;
        for (var k = 0; k < order.Length; k++)
        {
            bad += isBad[order[k]] ? 1 : 0;
            xs.Add(100.0 * (k + 1) / order.Length);
            ys.Add(100.0 * bad / totalBad);
        }

        var plot = new Plot();
        var model = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
        model.LegendText = "shipped model";
        model.LineWidth = 2;
        var random = plot.Add.Line(0, 0, 100, 100);
        random.LinePattern = LinePattern.Dashed;
        random.LegendText = "random order";
        var share = 100.0 * totalBad / order.Length;
        var perfect = plot.Add.ScatterLine(new[] { 0, share, 100 }, new[] { 0.0, 100, 100 });
        perfect.LinePattern = LinePattern.Dotted;
        perfect.LegendText = "perfect order";
        plot.Axes.SetLimits(0, 100, 0, 100);
        Style(plot, "Cumulative gains, out of fold", "applicants, riskiest first (% of all)", "defaulters captured (% of all)");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>
    /// Profit per applicant against the approval rate (money report): <paramref name="byPd"/>[k] and
    /// <paramref name="byProfit"/>[k] are the money per applicant when the k applicants with the lowest PD, or the highest
    /// expected profit, are approved; the rule's point and the nested estimates as horizontal lines. The x axis starts where
    /// the curves come within reach of approve-all, so their differences show.
    /// </summary>
    public static void ProfitCurve(string path, double[] byPd, double[] byProfit, string currency, (double Share, double Money) rule,
        double approveAll, double model, double todaysRule)
    {
        var n = byPd.Length - 1;
        var from = (int)Math.Floor(0.75 * n);
        double[] Xs() => [.. Enumerable.Range(from, n - from + 1).Select(k => 100.0 * k / n)];
        var plot = new Plot();
        var pd = plot.Add.ScatterLine(Xs(), byPd[from..]);
        pd.LegendText = "approve the lowest PDs first";
        pd.LineWidth = 2;
        var profit = plot.Add.ScatterLine(Xs(), byProfit[from..]);
        profit.LegendText = "approve the highest expected profit first";
        profit.LineWidth = 2;
        profit.LinePattern = LinePattern.Dashed;
        var all = plot.Add.HorizontalLine(approveAll);
        all.LegendText = $"approve everyone, nested CV ({approveAll:N0})";
        all.LinePattern = LinePattern.Dotted;
        var m = plot.Add.HorizontalLine(model);
        m.LegendText = $"the model's rule, nested CV ({model:N0})";
        var today = plot.Add.HorizontalLine(todaysRule);
        today.LegendText = $"today's 5:1 rule, nested CV ({todaysRule:N0})";
        today.LinePattern = LinePattern.DenselyDashed;
        var point = plot.Add.Scatter(new[] { rule.Share * 100 }, new[] { rule.Money });
        point.LegendText = $"the rule on the mean PDs: {rule.Share * 100:F1} % approved";
        point.MarkerSize = 12;
        point.LineWidth = 0;
        var low = Math.Min(Math.Min(byPd[from], byProfit[from]), todaysRule);
        var high = Math.Max(byPd.Max(), byProfit.Max());
        plot.Axes.SetLimits(100.0 * from / n, 100, low - 0.05 * (high - low), high + 0.05 * (high - low));
        Style(plot, "Profit against the approval rate, nested out-of-fold PDs", "applicants approved (%)", $"money per applicant ({currency})");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, Width, Height);
    }

    private static void Style(Plot plot, string title, string x, string y)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.Font.Set(Font);
        plot.Axes.Title.Label.FontSize = 20;
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            axis.Label.FontSize = 17;
            axis.TickLabelStyle.FontSize = 15;
        }

        plot.Legend.FontSize = 14;
    }

    private static void AddCurve(Plot plot, CandidateResult r, string label)
    {
        var line = plot.Add.ScatterLine(r.Curve.Select(p => p.Threshold).ToArray(), r.Curve.Select(p => p.CostPerApplicant).ToArray());
        line.LegendText = label;
        line.LineWidth = 2;
    }
}
