using CreditRisk.Contracts;

namespace CreditRisk.Trainer.Selection;

/// <summary>What cross-validation says about one candidate: pooled out-of-fold PDs over all repeats.</summary>
public sealed record CandidateResult(
    int Index,
    Candidate Candidate,
    float[][] OutOfFold,
    IReadOnlyList<ThresholdPoint> Curve,
    ThresholdPoint Best,
    ThresholdPoint AtBayes,
    CostEstimate Cost,
    double Auc,
    double Ks,
    double SelectionCost)
{
    /// <summary>What the selection compares: the cost per applicant around the chosen threshold (smoothed, so a
    /// candidate whose low cost rests on a narrow, lucky dip does not win by noise).</summary>
    public CandidateScore Score => new(Index, Candidate.Name, SelectionCost, Best.Threshold);

    /// <param name="smoothingShare">Threshold smoothing: neighbours on either side as a share of the pooled rows
    /// (see <see cref="ThresholdSearch.BestSmoothed"/>).</param>
    public static CandidateResult Evaluate(int index, Candidate candidate, float[][] outOfFold, IReadOnlyList<bool> isBad, CostMatrix costs, double smoothingShare)
    {
        var (pooledPd, pooledBad) = Pool(outOfFold, isBad);
        var (curve, best, smoothedCost) = Search(pooledPd, pooledBad, costs, smoothingShare);
        var atBayes = Point(pooledPd, pooledBad, costs.BayesThreshold, costs);
        var perApplicant = Enumerable.Range(0, isBad.Count)
            .Select(i => outOfFold.Average(r => costs.Cost(isBad[i], Decisions.Rejects(r[i], best.Threshold))))
            .ToArray();
        return new CandidateResult(index, candidate, outOfFold, curve, best, atBayes,
            CostEstimate.FromPerApplicant(perApplicant), Metrics.Auc(pooledPd, pooledBad), Metrics.Ks(curve), smoothedCost);
    }

    /// <summary>Out-of-fold PDs of every repeat in one list, with the matching labels.</summary>
    public static (float[] Pd, bool[] IsBad) Pool(float[][] outOfFold, IReadOnlyList<bool> isBad) =>
        (outOfFold.SelectMany(r => r).ToArray(), outOfFold.SelectMany(_ => isBad).ToArray());

    /// <summary>The cost curve of pooled PDs and its smoothed cost-minimising point: what selection judges by.</summary>
    public static (IReadOnlyList<ThresholdPoint> Curve, ThresholdPoint Best, double SmoothedCostPerApplicant) Search(
        float[] pooledPd, bool[] pooledBad, CostMatrix costs, double smoothingShare)
    {
        var curve = ThresholdSearch.Curve(pooledPd, pooledBad, costs);
        var (best, smoothed) = ThresholdSearch.BestSmoothed(curve, costs.BayesThreshold, (int)Math.Round(smoothingShare * pooledPd.Length));
        return (curve, best, smoothed);
    }

    public static ThresholdPoint Point(IReadOnlyList<float> pd, IReadOnlyList<bool> isBad, double threshold, CostMatrix costs)
    {
        var c = CostMatrix.Confuse(pd, isBad, threshold);
        return new ThresholdPoint(threshold, c, costs.Cost(c), costs.CostPerApplicant(c));
    }
}
