using CreditRisk.Contracts;

namespace CreditRisk.Trainer;

/// <summary>Approval rate and cost of one group of applicants under the chosen rule.</summary>
public sealed record GroupOutcome(string Attribute, string Group, int Applicants, double BadRate, double ApprovalRate, double CostPerApplicant);

/// <summary>
/// Outcomes by sex (derived from personalStatusSex), age band and foreign-worker status, computed on out-of-fold
/// PDs (every applicant scored by a model that did not see them) at the chosen threshold.
/// </summary>
public static class Fairness
{
    public static string Sex(CreditRecord r) => r.Category("personalStatusSex").StartsWith("female", StringComparison.Ordinal) ? "female" : "male";

    public static string AgeBand(CreditRecord r) => r.Number("age") switch
    {
        < 25 => "18–24",
        < 35 => "25–34",
        < 50 => "35–49",
        _ => "50+",
    };

    public static string ForeignWorker(CreditRecord r) => r.Category("foreignWorker") == "yes" ? "foreign worker" : "not a foreign worker";

    public static IReadOnlyList<GroupOutcome> Outcomes(IReadOnlyList<CreditRecord> rows, float[][] outOfFold, double threshold, CostMatrix costs)
    {
        var groupings = new (string Attribute, Func<CreditRecord, string> Group)[]
        {
            ("sex (from personal status)", Sex),
            ("age band", AgeBand),
            ("foreign worker", ForeignWorker),
        };
        var result = new List<GroupOutcome>();
        foreach (var (attribute, group) in groupings)
        {
            foreach (var g in Enumerable.Range(0, rows.Count).GroupBy(i => group(rows[i])).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var members = g.ToArray();
                double approvals = 0, cost = 0;
                foreach (var pd in outOfFold)
                {
                    foreach (var i in members)
                    {
                        var rejected = CostMatrix.Rejects(pd[i], threshold);
                        approvals += rejected ? 0 : 1;
                        cost += costs.Cost(rows[i].IsBad, rejected);
                    }
                }

                var n = (double)members.Length * outOfFold.Length;
                result.Add(new GroupOutcome(attribute, g.Key, members.Length,
                    members.Count(i => rows[i].IsBad) / (double)members.Length, approvals / n, cost / n));
            }
        }

        return result;
    }

    /// <summary>Names of the attributes the protected option leaves out, for the report.</summary>
    public static string ProtectedNames => string.Join(" and ", FeatureSchema.Protected);
}
