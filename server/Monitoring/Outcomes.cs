using CreditRisk.Contracts;

namespace CreditRisk.Server.Monitoring;

/// <summary>A recorded decision whose outcome has arrived: the PD and decision as served, and whether the borrower defaulted.</summary>
public readonly record struct MaturedDecision(double Pd, bool Rejected, bool IsBad);

/// <summary>
/// Matured decisions in one PD band, (<see cref="Low"/>, <see cref="High"/>] (null = open end): how many defaulted
/// against how many the model predicted (the band's mean PD). Calibration in production.
/// </summary>
public sealed record BandOutcome(double? Low, double? High, int Decisions, int Bad, double RealisedBadRate, double MeanPd);

/// <summary>One group of a protected attribute: its approval rate and its ratio to the most-approved group's;
/// <see cref="Suppressed"/> when it has fewer decisions than the minimum group size (no ratio then).</summary>
public sealed record GroupApproval(string Group, int Decisions, int Approved, double ApprovalRate, double? AdverseImpactRatio, bool Suppressed = false);

/// <summary>
/// What the model really did, from matured outcomes. Pure: the caller reads the decisions (from the decision store)
/// and passes the card's cost weights. The decision used is the one served, never recomputed, so a threshold change
/// later does not rewrite history.
/// </summary>
public static class Outcomes
{
    /// <summary>
    /// Cost per matured applicant: <c>FN·(approved and bad) + FP·(rejected and good)</c> over the decisions with an
    /// outcome. A lender rarely learns how a rejected applicant would have done, so in practice the FP part covers only
    /// rejected applicants whose outcome was observed; compare with the nested-CV figure knowing that.
    /// </summary>
    public static double CostPerApplicant(IReadOnlyList<MaturedDecision> matured, double costFalseNegative, double costFalsePositive)
    {
        if (matured.Count == 0)
        {
            return 0;
        }

        var cost = 0.0;
        foreach (var m in matured)
        {
            cost += Cost(m.IsBad, m.Rejected, costFalseNegative, costFalsePositive);
        }

        return cost / matured.Count;
    }

    /// <summary>The cost of one decision (one definition for the realised figures and the challenger's).</summary>
    public static double Cost(bool isBad, bool rejected, double costFalseNegative, double costFalsePositive) => (isBad, rejected) switch
    {
        (true, false) => costFalseNegative,
        (false, true) => costFalsePositive,
        _ => 0,
    };

    /// <summary>Realised bad rate per PD band, with bands cut at <paramref name="edges"/> by the baseline's bin rule
    /// (<see cref="Distribution.BinOf"/>); typically the training PD deciles. Empty bands are listed with zero counts.</summary>
    public static IReadOnlyList<BandOutcome> BadRateByBand(IReadOnlyList<MaturedDecision> matured, IReadOnlyList<double> edges)
    {
        var count = new int[edges.Count + 1];
        var bad = new int[edges.Count + 1];
        var pdSum = new double[edges.Count + 1];
        foreach (var m in matured)
        {
            var b = Distribution.BinOf(edges, m.Pd);
            count[b]++;
            pdSum[b] += m.Pd;
            if (m.IsBad)
            {
                bad[b]++;
            }
        }

        return Enumerable.Range(0, edges.Count + 1)
            .Select(b => new BandOutcome(
                b == 0 ? null : edges[b - 1],
                b == edges.Count ? null : edges[b],
                count[b],
                bad[b],
                count[b] == 0 ? 0 : (double)bad[b] / count[b],
                count[b] == 0 ? 0 : pdSum[b] / count[b]))
            .ToArray();
    }

    /// <summary>
    /// AUC as the Mann–Whitney statistic: the share of (bad, good) pairs where the bad one has the higher PD, ties
    /// counted half. Null without both classes. O(n log n) by ranks with ties averaged.
    /// </summary>
    public static double? Auc(IReadOnlyList<MaturedDecision> matured)
    {
        var bads = matured.Count(m => m.IsBad);
        var goods = matured.Count - bads;
        if (bads == 0 || goods == 0)
        {
            return null;
        }

        var order = Enumerable.Range(0, matured.Count).OrderBy(i => matured[i].Pd).ToArray();
        var badRankSum = 0.0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && matured[order[end + 1]].Pd == matured[order[start]].Pd)
            {
                end++;
            }

            var rank = (start + end) / 2.0 + 1; // 1-based ranks, ties share their mean rank
            for (var k = start; k <= end; k++)
            {
                if (matured[order[k]].IsBad)
                {
                    badRankSum += rank;
                }
            }

            start = end + 1;
        }

        return (badRankSum - bads * (bads + 1) / 2.0) / ((double)bads * goods);
    }

    /// <summary>
    /// Approval rate per group (decisions need no outcome) and the adverse-impact ratio: each group's approval rate over
    /// the highest group's, the "four-fifths rule" figure (below 0.8 is the usual flag); null when no group had an
    /// approval, as the ratio is then undefined. Groups sorted by name. A group with fewer than
    /// <paramref name="minGroupSize"/> decisions is suppressed (issue 32): it gets no ratio and is never the best group
    /// the others are divided by, so a group of one cannot set or steal the verdict.
    /// </summary>
    public static IReadOnlyList<GroupApproval> ApprovalByGroup(IEnumerable<(string Group, bool Rejected)> decisions, int minGroupSize = 1)
    {
        var groups = decisions
            .GroupBy(d => d.Group, StringComparer.Ordinal)
            .Select(g => (Group: g.Key, Decisions: g.Count(), Approved: g.Count(d => !d.Rejected)))
            .OrderBy(g => g.Group, StringComparer.Ordinal)
            .ToArray();
        var shown = groups.Where(g => g.Decisions >= minGroupSize).ToArray();
        var best = shown.Length == 0 ? 0 : shown.Max(g => (double)g.Approved / g.Decisions);
        return groups
            .Select(g =>
            {
                var rate = (double)g.Approved / g.Decisions;
                return g.Decisions < minGroupSize
                    ? new GroupApproval(g.Group, g.Decisions, g.Approved, rate, null, Suppressed: true)
                    : new GroupApproval(g.Group, g.Decisions, g.Approved, rate, best == 0 ? null : rate / best);
            })
            .ToArray();
    }

    /// <summary>Share of decisions that approve.</summary>
    public static double ApprovalRate(IReadOnlyCollection<bool> rejected) =>
        rejected.Count == 0 ? 0 : (double)rejected.Count(r => !r) / rejected.Count;
}
