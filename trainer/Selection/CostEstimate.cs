namespace CreditRisk.Trainer.Selection;

/// <summary>Cost per applicant with a normal-approximation 95 % interval over applicants.</summary>
public sealed record CostEstimate(double Mean, double Ci95Low, double Ci95High)
{
    /// <summary>From per-applicant costs (each already averaged over repeats).</summary>
    public static CostEstimate FromPerApplicant(IReadOnlyList<double> costs)
    {
        var mean = costs.Average();
        var sd = Math.Sqrt(costs.Sum(c => (c - mean) * (c - mean)) / Math.Max(1, costs.Count - 1));
        var half = 1.96 * sd / Math.Sqrt(costs.Count);
        return new CostEstimate(mean, mean - half, mean + half);
    }
}
