using System.Globalization;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Report;

/// <summary>
/// Outcomes of one group of applicants under the shipped rule. <see cref="AdverseImpactRatio"/> is its approval rate over
/// the most-approved group's of the same attribute (the four-fifths rule: below 0.8 is adverse impact), with a Katz 95 %
/// interval; FNR: defaulters approved, FPR: good payers rejected; mean PD against bad rate: calibration by group.
/// <see cref="Suppressed"/>: fewer applicants than the minimum group size; its figures are not reported (NaN), and it is
/// neither the reference group nor in the verdict.
/// </summary>
public sealed record GroupOutcome(
    string Attribute,
    string Group,
    int Applicants,
    double BadRate,
    double MeanPd,
    double ApprovalRate,
    double AdverseImpactRatio,
    double AirCi95Low,
    double AirCi95High,
    double FalseNegativeRate,
    double FalsePositiveRate,
    double CostPerApplicant,
    bool Suppressed = false);

/// <summary>The plain verdict on one protected attribute: its lowest adverse-impact ratio and what it means.</summary>
public sealed record FairnessVerdict(string Attribute, string LowestGroup, double LowestRatio, double Ci95Low, double Ci95High, string Verdict);

/// <summary>
/// Outcomes by group of every protected attribute of the spec (role <c>protected</c>: read for this report only,
/// never a model input), on out-of-fold PDs (every applicant scored by a model that did not see them) at the chosen
/// threshold, each applicant's decisions averaged over the repeats. A category groups by its values; a number by its
/// quartiles in the data.
/// </summary>
public static class Fairness
{
    /// <summary>The four-fifths rule of the US Uniform Guidelines, the usual screen for adverse impact.</summary>
    public const double FourFifths = 0.8;

    /// <summary>The default of <see cref="TrainerOptions.MinGroupSize"/>: below 30 applicants an approval rate's interval spans most of 0–1.</summary>
    public const int DefaultMinGroupSize = 30;

    public static IReadOnlyList<GroupOutcome> Outcomes(DatasetSpec spec, IReadOnlyList<CreditRecord> rows, float[][] outOfFold, double threshold, CostMatrix costs, int minGroupSize = DefaultMinGroupSize)
    {
        var result = new List<GroupOutcome>();
        foreach (var f in spec.Protected)
        {
            var group = Grouping(spec, f, rows);
            var position = spec.IndexOf(f);
            // Groups in a reader's order: number bands from low to high, categories in the spec's order.
            double Order(IEnumerable<int> members) => f.IsNumber
                ? members.Min(i => float.IsFinite(rows[i].Numbers[position]) ? rows[i].Numbers[position] : float.MaxValue)
                : members.Select(i => f.Values.ToList().FindIndex(v => v.Value == rows[i].Categories[position])).First() is var k and >= 0 ? k : int.MaxValue;
            var groups = Enumerable.Range(0, rows.Count).GroupBy(i => group(rows[i])).OrderBy(g => Order(g)).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Measure(f.Text, g.Key, g.ToArray(), rows, outOfFold, threshold, costs)).ToArray();
            // A group too small to say anything is suppressed before the reference is chosen: a group of one approved
            // applicant would otherwise be "the most approved" and every other group's ratio would be against it.
            var reported = groups.Where(g => g.Applicants >= minGroupSize).ToArray();
            var top = reported.MaxBy(g => g.ApprovalRate);
            result.AddRange(groups.Select(g => g.Applicants < minGroupSize || top is null ? Suppress(g) : WithRatio(g, top)));
        }

        return result;
    }

    /// <summary>
    /// The verdict per attribute, on the groups not suppressed. It names the group with the strongest evidence of adverse
    /// impact: the lowest ratio among the groups whose interval lies wholly below four-fifths (informative: the data can
    /// tell), and only when there is none the lowest ratio of all, with what its interval allows.
    /// </summary>
    public static IReadOnlyList<FairnessVerdict> Verdicts(IReadOnlyList<GroupOutcome> groups) =>
        [.. groups.GroupBy(g => g.Attribute).Select(a =>
        {
            var reported = a.Where(g => !g.Suppressed).ToArray();
            if (reported.Length < 2)
            {
                return new FairnessVerdict(a.Key, "", double.NaN, double.NaN, double.NaN,
                    "not assessed: fewer than two groups are large enough to compare (the others are suppressed)");
            }

            var lowest = reported.Where(g => g.AirCi95High < FourFifths).MinBy(g => g.AdverseImpactRatio) ?? reported.MinBy(g => g.AdverseImpactRatio)!;
            var verdict = lowest.AirCi95High < FourFifths
                ? $"adverse impact: {lowest.Group} is approved at {F(lowest.AdverseImpactRatio)} of the most-approved group's rate, below four-fifths even at the top of its interval"
                : lowest.AdverseImpactRatio < FourFifths
                    ? $"possible adverse impact: {lowest.Group}'s ratio {F(lowest.AdverseImpactRatio)} is below four-fifths, but its 95 % interval reaches {F(lowest.AirCi95High)}, so the data cannot tell"
                    : lowest.AirCi95Low < FourFifths
                        ? $"no adverse impact detected at four-fifths (lowest ratio {F(lowest.AdverseImpactRatio)}, {lowest.Group}), but the interval is too wide to rule it out"
                        : $"no adverse impact: every group's ratio is at least four-fifths, interval included (lowest {F(lowest.AdverseImpactRatio)}, {lowest.Group})";
            return new FairnessVerdict(a.Key, lowest.Group, lowest.AdverseImpactRatio, lowest.AirCi95Low, lowest.AirCi95High, verdict);
        })];

    private static GroupOutcome Suppress(GroupOutcome g) => g with
    {
        BadRate = double.NaN,
        MeanPd = double.NaN,
        ApprovalRate = double.NaN,
        AdverseImpactRatio = double.NaN,
        AirCi95Low = double.NaN,
        AirCi95High = double.NaN,
        FalseNegativeRate = double.NaN,
        FalsePositiveRate = double.NaN,
        CostPerApplicant = double.NaN,
        Suppressed = true,
    };

    private static GroupOutcome Measure(string attribute, string name, int[] members, IReadOnlyList<CreditRecord> rows, float[][] outOfFold, double threshold, CostMatrix costs)
    {
        double approvals = 0, cost = 0, approvedBad = 0, rejectedGood = 0, pdSum = 0;
        foreach (var pd in outOfFold)
        {
            foreach (var i in members)
            {
                var rejected = Decisions.Rejects(pd[i], threshold);
                approvals += rejected ? 0 : 1;
                approvedBad += !rejected && rows[i].IsBad ? 1 : 0;
                rejectedGood += rejected && !rows[i].IsBad ? 1 : 0;
                cost += costs.Cost(rows[i].IsBad, rejected);
                pdSum += pd[i];
            }
        }

        var repeats = outOfFold.Length;
        var n = (double)members.Length * repeats;
        var bad = members.Count(i => rows[i].IsBad);
        var good = members.Length - bad;
        return new GroupOutcome(attribute, name, members.Length, bad / (double)members.Length, pdSum / n, approvals / n, double.NaN, double.NaN, double.NaN,
            bad == 0 ? double.NaN : approvedBad / ((double)bad * repeats), good == 0 ? double.NaN : rejectedGood / ((double)good * repeats), cost / n);
    }

    /// <summary>
    /// Approval-rate ratio against the most-approved group, with Katz's log-ratio interval. Approvals are averaged over
    /// the repeats, so counts may be fractional. Katz's interval is undefined when a count is zero (no approvals, or
    /// no rejections, in either group): then the Haldane–Anscombe correction adds 0.5 to each of the four counts
    /// (approvals + 0.5 of applicants + 1, per group) for the interval. The ratio reported stays the observed one, and
    /// the interval is widened to contain it (a group with no approvals has ratio 0 and lower limit 0, which no
    /// log-scale interval reaches).
    /// </summary>
    private static GroupOutcome WithRatio(GroupOutcome g, GroupOutcome top)
    {
        if (g == top)
        {
            return g with { AdverseImpactRatio = 1, AirCi95Low = 1, AirCi95High = 1 };
        }

        var ratio = g.ApprovalRate / top.ApprovalRate;
        var (x1, n1, x2, n2) = (g.ApprovalRate * g.Applicants, (double)g.Applicants, top.ApprovalRate * top.Applicants, (double)top.Applicants);
        if (x1 <= 0 || x1 >= n1 || x2 <= 0 || x2 >= n2)
        {
            (x1, n1, x2, n2) = (x1 + 0.5, n1 + 1, x2 + 0.5, n2 + 1);
        }

        var se = Math.Sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2);
        var log = Math.Log(x1 / n1 / (x2 / n2));
        var low = Math.Exp(log - 1.96 * se);
        var high = Math.Exp(log + 1.96 * se);
        return g with { AdverseImpactRatio = ratio, AirCi95Low = Math.Min(low, ratio), AirCi95High = Math.Max(high, ratio) };
    }

    /// <summary>The interval's method, in the report's words.</summary>
    public const string IntervalMethod = "Katz log-ratio 95 % interval; where a count is zero (no approvals or no rejections in either group), " +
        "with the Haldane–Anscombe correction (0.5 added to each count) and widened to contain the observed ratio";

    /// <summary>The group of a row for attribute <paramref name="f"/>: a category's label, or a quartile band of a number
    /// (<see cref="FairnessBands"/>, the bands monitoring uses too).</summary>
    public static Func<CreditRecord, string> Grouping(DatasetSpec spec, FeatureSpec f, IReadOnlyList<CreditRecord> rows)
    {
        var i = spec.IndexOf(f);
        if (!f.IsNumber)
        {
            return r => r.Categories[i] is { } v ? f.Values.FirstOrDefault(c => c.Value == v)?.Text ?? v : "(missing)";
        }

        var cuts = Cuts(spec, f, rows);
        return r => FairnessBands.Label(cuts, r.Numbers[i]) ?? "(missing)";
    }

    /// <summary>The quartile cut points of a protected number over <paramref name="rows"/>.</summary>
    public static double[] Cuts(DatasetSpec spec, FeatureSpec f, IReadOnlyList<CreditRecord> rows)
    {
        var i = spec.IndexOf(f);
        return FairnessBands.Cuts(rows.Select(r => (double)r.Numbers[i]));
    }

    private static string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
}
