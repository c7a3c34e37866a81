using CreditRisk.Server.Challenger;
using CreditRisk.Server.Records;

namespace CreditRisk.Server.Tests.Monitoring;

public sealed class ChampionChallengerTests
{
    [Fact]
    public void Disagreement_and_paired_cost_difference_equal_a_computation_by_hand()
    {
        // Champion threshold 0.5, challenger's own 0.55. Costs FN 5, FP 1.
        PairedDecision[] pairs =
        [
            new(0.20, false, 0.60, true, false),  // disagree; champion 0, challenger 1 (FP); at 0.5: reject → 1
            new(0.70, true, 0.40, false, true),   // disagree; 0, 5 (FN); at 0.5: approve → 5
            new(0.30, false, 0.20, false, true),  // agree; 5, 5; 5
            new(0.60, true, 0.52, false, false),  // disagree; 1, 0; at 0.5: 0.52 rejects → 1
            new(0.10, false, 0.10, false, null),  // agree; not matured
        ];

        var c = ChampionChallenger.Compare(pairs, championThreshold: 0.5, costFalseNegative: 5, costFalsePositive: 1);

        Assert.Equal(5, c.Decisions);
        Assert.Equal(0.6, c.DisagreementRate, 12);
        Assert.Equal(4, c.Matured);
        Assert.Equal(1.5, c.ChampionCostPerApplicant, 12);      // (0 + 0 + 5 + 1) / 4
        Assert.Equal(2.75, c.ChallengerCostPerApplicant, 12);   // (1 + 5 + 5 + 0) / 4
        Assert.Equal(3.0, c.ChallengerCostAtChampionThreshold, 12);
        // Differences 1, 5, 0, −1: mean 1.25, s = √(20.75 / 3) = 2.62996, half-width 1.95996 · s / 2.
        Assert.Equal(1.25, c.MeanCostDifference, 12);
        Assert.Equal(-1.3273091673520518, c.Ci95Low!.Value, 10);
        Assert.Equal(3.827309167352052, c.Ci95High!.Value, 10);
    }

    [Fact]
    public void One_matured_pair_has_no_interval_and_none_has_no_cost()
    {
        var one = ChampionChallenger.Compare([new(0.2, false, 0.2, false, true)], 0.5, 5, 1);
        Assert.Equal(0, one.MeanCostDifference);
        Assert.Null(one.Ci95Low);
        Assert.Null(one.Ci95High);

        var none = ChampionChallenger.Compare([], 0.5, 5, 1);
        Assert.Equal((0, 0, 0.0), (none.Decisions, none.Matured, none.DisagreementRate));
    }
}
