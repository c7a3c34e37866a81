using CreditRisk.Contracts;

namespace CreditRisk.Trainer.Selection;

/// <summary>Counts of a decision rule on labelled rows (positive = bad = rejected).</summary>
public readonly record struct Confusion(int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives)
{
    public int Count => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    public int Rejected => TruePositives + FalsePositives;

    public static Confusion operator +(Confusion a, Confusion b) => new(
        a.TruePositives + b.TruePositives, a.FalsePositives + b.FalsePositives,
        a.TrueNegatives + b.TrueNegatives, a.FalseNegatives + b.FalseNegatives);
}

/// <summary>
/// The lender's cost of wrong decisions: <c>FalseNegative·FN + FalsePositive·FP</c>. The decision rule everywhere
/// in CreditRisk is <b>reject when PD &gt; threshold</b>.
/// </summary>
public sealed record CostMatrix(double FalseNegative, double FalsePositive)
{
    public static CostMatrix Default { get; } = new(CostWeights.FalseNegative, CostWeights.FalsePositive);

    public static CostMatrix Of(DatasetSpec spec) => new(spec.Costs.FalseNegative, spec.Costs.FalsePositive);

    /// <summary>The threshold a perfectly calibrated PD would use: reject when FP·(1−p) &lt; FN·p, i.e. p &gt; FP/(FN+FP).</summary>
    public double BayesThreshold => FalsePositive / (FalseNegative + FalsePositive);

    public double Cost(Confusion c) => FalseNegative * c.FalseNegatives + FalsePositive * c.FalsePositives;

    public double CostPerApplicant(Confusion c) => c.Count == 0 ? 0 : Cost(c) / c.Count;

    /// <summary>Cost of one decision.</summary>
    public double Cost(bool isBad, bool rejected) => (isBad, rejected) switch
    {
        (true, false) => FalseNegative,
        (false, true) => FalsePositive,
        _ => 0,
    };

    public static Confusion Confuse(IReadOnlyList<float> pd, IReadOnlyList<bool> isBad, double threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(pd.Count, isBad.Count, nameof(pd));
        int tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < pd.Count; i++)
        {
            var rejected = Decisions.Rejects(pd[i], threshold);
            if (isBad[i])
            {
                if (rejected)
                { tp++; }
                else
                { fn++; }
            }
            else if (rejected)
            {
                fp++;
            }
            else
            {
                tn++;
            }
        }

        return new Confusion(tp, fp, tn, fn);
    }
}
