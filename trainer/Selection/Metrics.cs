namespace CreditRisk.Trainer.Selection;

/// <summary>Ranking metrics of a PD on labelled rows.</summary>
public static class Metrics
{
    /// <summary>Area under the ROC curve (Mann–Whitney, ties count half); NaN when one class is missing.</summary>
    public static double Auc(IReadOnlyList<float> pd, IReadOnlyList<bool> isBad)
    {
        var order = Enumerable.Range(0, pd.Count).OrderBy(i => pd[i]).ToArray();
        double rankSumBad = 0;
        var i0 = 0;
        while (i0 < order.Length)
        {
            var i1 = i0;
            while (i1 + 1 < order.Length && pd[order[i1 + 1]] == pd[order[i0]])
            {
                i1++;
            }

            var rank = (i0 + i1) / 2.0 + 1;
            for (var j = i0; j <= i1; j++)
            {
                if (isBad[order[j]])
                {
                    rankSumBad += rank;
                }
            }

            i0 = i1 + 1;
        }

        double bad = isBad.Count(b => b), good = isBad.Count - bad;
        return bad == 0 || good == 0 ? double.NaN : (rankSumBad - bad * (bad + 1) / 2) / (bad * good);
    }

    /// <summary>ROC points (false-positive rate, true-positive rate) from "reject all" down to "reject none".</summary>
    public static IReadOnlyList<(double Fpr, double Tpr)> Roc(IReadOnlyList<ThresholdPoint> curve)
    {
        var bad = curve[0].Confusion.TruePositives + curve[0].Confusion.FalseNegatives;
        var good = curve[0].Confusion.FalsePositives + curve[0].Confusion.TrueNegatives;
        return curve.Select(p => (
            good == 0 ? 0 : (double)p.Confusion.FalsePositives / good,
            bad == 0 ? 0 : (double)p.Confusion.TruePositives / bad)).ToArray();
    }

    /// <summary>Kolmogorov–Smirnov statistic: the largest gap between the bad and good PD distributions.</summary>
    public static double Ks(IReadOnlyList<ThresholdPoint> curve) => Roc(curve).Max(p => Math.Abs(p.Tpr - p.Fpr));
}
