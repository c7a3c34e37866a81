using System.Globalization;
using CreditRisk.Contracts;

namespace CreditRisk.Trainer;

/// <summary>Approval rate and cost of one group of applicants under the chosen rule.</summary>
public sealed record GroupOutcome(string Attribute, string Group, int Applicants, double BadRate, double ApprovalRate, double CostPerApplicant);

/// <summary>
/// Outcomes by group of every protected attribute of the spec (role <c>protected</c>: read for this report only,
/// never a model input), on out-of-fold PDs (every applicant scored by a model that did not see them) at the chosen
/// threshold. A category groups by its values; a number by its quartiles in the data.
/// </summary>
public static class Fairness
{
    private static readonly double[] Quartiles = [0.25, 0.5, 0.75];

    public static IReadOnlyList<GroupOutcome> Outcomes(DatasetSpec spec, IReadOnlyList<CreditRecord> rows, float[][] outOfFold, double threshold, CostMatrix costs)
    {
        var result = new List<GroupOutcome>();
        foreach (var f in spec.Protected)
        {
            var group = Grouping(spec, f, rows);
            foreach (var g in Enumerable.Range(0, rows.Count).GroupBy(i => group(rows[i])).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var members = g.ToArray();
                double approvals = 0, cost = 0;
                foreach (var pd in outOfFold)
                {
                    foreach (var i in members)
                    {
                        var rejected = Decisions.Rejects(pd[i], threshold);
                        approvals += rejected ? 0 : 1;
                        cost += costs.Cost(rows[i].IsBad, rejected);
                    }
                }

                var n = (double)members.Length * outOfFold.Length;
                result.Add(new GroupOutcome(f.Text, g.Key, members.Length,
                    members.Count(i => rows[i].IsBad) / (double)members.Length, approvals / n, cost / n));
            }
        }

        return result;
    }

    private static Func<CreditRecord, string> Grouping(DatasetSpec spec, FeatureSpec f, IReadOnlyList<CreditRecord> rows)
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
}
