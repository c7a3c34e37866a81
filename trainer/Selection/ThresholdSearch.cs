namespace CreditRisk.Trainer.Selection;

/// <summary>One point of the cost curve: the rule "reject when PD &gt; Threshold" and what it costs.</summary>
public sealed record ThresholdPoint(double Threshold, Confusion Confusion, double Cost, double CostPerApplicant);

/// <summary>
/// Finds the threshold that minimises <see cref="CostMatrix"/> cost on scored, labelled rows. Candidates are 0, 1 and
/// the midpoints between consecutive distinct PDs, so every achievable split of the rows is tried exactly once.
/// Ties go to the threshold closest to the Bayes threshold, then to the lower one: deterministic and, with a
/// calibrated PD, the least surprising.
/// </summary>
public static class ThresholdSearch
{
    public static IReadOnlyList<ThresholdPoint> Curve(IReadOnlyList<float> pd, IReadOnlyList<bool> isBad, CostMatrix costs)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(pd.Count, isBad.Count, nameof(pd));
        var order = Enumerable.Range(0, pd.Count).OrderBy(i => pd[i]).ToArray();
        var totalBad = isBad.Count(b => b);
        var totalGood = isBad.Count - totalBad;

        // Start at threshold 1: nobody rejected. Walk PDs from high to low, rejecting each group of equal PDs.
        var points = new List<ThresholdPoint>();
        int tp = 0, fp = 0;
        void Add(double t)
        {
            var c = new Confusion(tp, fp, totalGood - fp, totalBad - tp);
            points.Add(new ThresholdPoint(t, c, costs.Cost(c), costs.CostPerApplicant(c)));
        }

        Add(1.0);
        var k = order.Length - 1;
        while (k >= 0)
        {
            var value = pd[order[k]];
            while (k >= 0 && pd[order[k]] == value)
            {
                if (isBad[order[k]])
                { tp++; }
                else
                { fp++; }
                k--;
            }

            // Everything with PD >= value is now rejected; the threshold sits between value and the next lower PD.
            var lower = k >= 0 ? pd[order[k]] : 0.0;
            var threshold = k >= 0 ? (lower + value) / 2 : 0.0;
            if (k < 0 && value <= 0)
            {
                break; // PD 0 is never rejected by "PD > t" with t in [0, 1].
            }

            Add(threshold);
        }

        points.Reverse();
        return points;
    }

    /// <summary>
    /// The cheapest point of the curve, and the smoothed cost per applicant it was judged by. With
    /// <paramref name="smoothing"/> &gt; 0 each point is judged by the mean cost of itself and its
    /// <paramref name="smoothing"/> neighbours on either side, so a threshold that is cheap only by a lucky handful of
    /// rows loses to one in a broad valley (less variance when the choice meets new data); with 0 the judged cost is
    /// the point's own.
    /// </summary>
    public static (ThresholdPoint Point, double SmoothedCostPerApplicant) BestSmoothed(IReadOnlyList<ThresholdPoint> curve, double bayes, int smoothing)
    {
        if (curve.Count == 0)
        {
            throw new ArgumentException("The cost curve is empty.", nameof(curve));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(smoothing);
        var prefix = new double[curve.Count + 1];
        for (var i = 0; i < curve.Count; i++)
        {
            prefix[i + 1] = prefix[i] + curve[i].Cost;
        }

        double Judged(int i)
        {
            int lo = Math.Max(0, i - smoothing), hi = Math.Min(curve.Count - 1, i + smoothing);
            return (prefix[hi + 1] - prefix[lo]) / (hi - lo + 1);
        }

        var judged = Enumerable.Range(0, curve.Count).Select(Judged).ToArray();
        var min = judged.Min();
        var best = Enumerable.Range(0, curve.Count)
            .Where(i => judged[i] == min)
            .Select(i => curve[i])
            .OrderBy(p => Math.Abs(p.Threshold - bayes))
            .ThenBy(p => p.Threshold)
            .First();
        var n = best.Confusion.Count;
        return (best, n == 0 ? 0 : min / n);
    }
}
