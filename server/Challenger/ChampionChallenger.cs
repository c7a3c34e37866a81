using CreditRisk.Contracts;
using CreditRisk.Server.Monitoring;
using CreditRisk.Server.Records;

namespace CreditRisk.Server.Challenger;

/// <summary>
/// Champion against challenger on the same applicants. Costs are per matured applicant; the difference is challenger
/// minus champion (negative = the challenger is cheaper) with a 95 % interval on the paired mean; the interval is null
/// below two matured applicants. <see cref="ChallengerCostAtChampionThreshold"/> separates a better ranking from a
/// better threshold: the challenger's PDs cut at the champion's threshold.
/// </summary>
public sealed record ChallengerComparison(
    int Decisions,
    double DisagreementRate,
    int Matured,
    double ChampionCostPerApplicant,
    double ChallengerCostPerApplicant,
    double ChallengerCostAtChampionThreshold,
    double MeanCostDifference,
    double? Ci95Low,
    double? Ci95High);

public static class ChampionChallenger
{
    /// <summary>The two-sided 95 % normal quantile.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// Compares the models. The paired design matters: both models saw the same applicants, so the per-applicant cost
    /// difference has far less variance than the difference of two independent means. The interval is the normal one,
    /// mean ± z·s/√n with the sample standard deviation of the differences (n − 1), fine for the hundreds of matured
    /// applicants a decision needs; with few it is only indicative.
    /// </summary>
    public static ChallengerComparison Compare(
        IReadOnlyList<PairedDecision> decisions, double championThreshold, double costFalseNegative, double costFalsePositive)
    {
        var disagreements = decisions.Count(d => d.ChampionRejects != d.ChallengerRejects);
        var matured = decisions.Where(d => d.IsBad is not null).ToArray();
        var champion = new double[matured.Length];
        var challenger = new double[matured.Length];
        var atChampionThreshold = 0.0;
        for (var i = 0; i < matured.Length; i++)
        {
            var (d, bad) = (matured[i], matured[i].IsBad!.Value);
            champion[i] = Outcomes.Cost(bad, d.ChampionRejects, costFalseNegative, costFalsePositive);
            challenger[i] = Outcomes.Cost(bad, d.ChallengerRejects, costFalseNegative, costFalsePositive);
            atChampionThreshold += Outcomes.Cost(bad, Decisions.Rejects(d.ChallengerPd, championThreshold), costFalseNegative, costFalsePositive);
        }

        var n = matured.Length;
        double Mean(IEnumerable<double> xs) => n == 0 ? 0 : xs.Sum() / n;
        var differences = challenger.Zip(champion, (c, h) => c - h).ToArray();
        var mean = Mean(differences);
        double? low = null, high = null;
        if (n >= 2)
        {
            var sd = Math.Sqrt(differences.Sum(x => (x - mean) * (x - mean)) / (n - 1));
            var half = Z95 * sd / Math.Sqrt(n);
            (low, high) = (mean - half, mean + half);
        }

        return new ChallengerComparison(
            decisions.Count,
            decisions.Count == 0 ? 0 : (double)disagreements / decisions.Count,
            n,
            Mean(champion),
            Mean(challenger),
            n == 0 ? 0 : atChampionThreshold / n,
            mean,
            low,
            high);
    }
}
