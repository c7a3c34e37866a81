using System.Globalization;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Report;

/// <summary>
/// Outcomes of one group of applicants under the shipped rule. <see cref="AdverseImpactRatio"/> is its approval rate over
/// the most-approved group's of the same attribute (the four-fifths rule: below 0.8 is adverse impact), with a Katz 95 %
/// interval; FNR: defaulters approved, FPR: good payers rejected; mean PD against bad rate: calibration by group.
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
    double CostPerApplicant);

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

    private static readonly double[] Quartiles = [0.25, 0.5, 0.75];

    public static IReadOnlyList<GroupOutcome> Outcomes(DatasetSpec spec, IReadOnlyList<CreditRecord> rows, float[][] outOfFold, double threshold, CostMatrix costs)
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
            var top = groups.MaxBy(g => g.ApprovalRate)!;
            result.AddRange(groups.Select(g => WithRatio(g, top)));
        }

        return result;
    }

    public static IReadOnlyList<FairnessVerdict> Verdicts(IReadOnlyList<GroupOutcome> groups) =>
        [.. groups.GroupBy(g => g.Attribute).Select(a =>
        {
            var lowest = a.MinBy(g => g.AdverseImpactRatio)!;
            var verdict = lowest.AirCi95High < FourFifths
                ? $"adverse impact: {lowest.Group} is approved at {F(lowest.AdverseImpactRatio)} of the most-approved group's rate, below four-fifths even at the top of its interval"
                : lowest.AdverseImpactRatio < FourFifths
                    ? $"possible adverse impact: {lowest.Group}'s ratio {F(lowest.AdverseImpactRatio)} is below four-fifths, but its 95 % interval reaches {F(lowest.AirCi95High)}, so the data cannot tell"
                    : lowest.AirCi95Low < FourFifths
                        ? $"no adverse impact detected at four-fifths (lowest ratio {F(lowest.AdverseImpactRatio)}, {lowest.Group}), but the interval is too wide to rule it out"
                        : $"no adverse impact: every group's ratio is at least four-fifths, interval included (lowest {F(lowest.AdverseImpactRatio)}, {lowest.Group})";
            return new FairnessVerdict(a.Key, lowest.Group, lowest.AdverseImpactRatio, lowest.AirCi95Low, lowest.AirCi95High, verdict);
        })];

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

    /// <summary>Approval-rate ratio against the most-approved group, with Katz's log-ratio interval.</summary>
    private static GroupOutcome WithRatio(GroupOutcome g, GroupOutcome top)
    {
        var ratio = g.ApprovalRate / top.ApprovalRate;
        if (g == top)
        {
            return g with { AdverseImpactRatio = 1, AirCi95Low = 1, AirCi95High = 1 };
        }

        // Clamp away from 0 and 1 so a group with no approvals (or all) still gets a finite interval.
        double P(double p, int n) => Math.Clamp(p, 0.5 / n, 1 - 0.5 / n);
        var p1 = P(g.ApprovalRate, g.Applicants);
        var p2 = P(top.ApprovalRate, top.Applicants);
        var se = Math.Sqrt((1 - p1) / (g.Applicants * p1) + (1 - p2) / (top.Applicants * p2));
        var log = Math.Log(p1 / p2);
        return g with { AdverseImpactRatio = ratio, AirCi95Low = Math.Exp(log - 1.96 * se), AirCi95High = Math.Exp(log + 1.96 * se) };
    }

    /// <summary>The group of a row for attribute <paramref name="f"/>: a category's label, or a quartile band of a number.</summary>
    public static Func<CreditRecord, string> Grouping(DatasetSpec spec, FeatureSpec f, IReadOnlyList<CreditRecord> rows)
    {
        var i = spec.IndexOf(f);
        if (!f.IsNumber)
        {
            return r => r.Categories[i] is { } v ? f.Values.FirstOrDefault(c => c.Value == v)?.Text ?? v : "(missing)";
        }

        var sorted = rows.Select(r => r.Numbers[i]).Where(float.IsFinite).Order().ToArray();
        var cuts = Quartiles.Select(q => sorted[(int)(q * (sorted.Length - 1))]).Distinct().ToArray();
        string N(float v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        return r =>
        {
            var v = r.Numbers[i];
            if (!float.IsFinite(v))
            {
                return "(missing)";
            }

            var band = cuts.Count(c => v > c);
            return band switch
            {
                0 => $"≤ {N(cuts[0])}",
                _ when band == cuts.Length => $"> {N(cuts[^1])}",
                _ => $"{N(cuts[band - 1])}–{N(cuts[band])}",
            };
        };
    }

    private static string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
}
