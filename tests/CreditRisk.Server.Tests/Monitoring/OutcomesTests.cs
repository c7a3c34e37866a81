using CreditRisk.Server.Monitoring;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>Realised figures on known outcomes, each equal to a computation by hand (issue 17, "Outcomes").</summary>
public sealed class OutcomesTests
{
    // Seven matured decisions: (PD, rejected, bad). Costs FN 5, FP 1.
    private static readonly MaturedDecision[] Seven =
    [
        new(0.10, false, false), // approved good: 0
        new(0.20, false, true),  // approved bad: 5
        new(0.30, false, false), // 0
        new(0.60, true, false),  // rejected good: 1
        new(0.70, true, true),   // rejected bad: 0
        new(0.05, false, false), // 0
        new(0.40, false, true),  // approved bad: 5
    ];

    [Fact]
    public void Realised_cost_per_applicant_uses_the_cost_weights_on_the_served_decision()
    {
        Assert.Equal(11.0 / 7, Outcomes.CostPerApplicant(Seven, 5, 1), 12);
        // Other weights, same decisions: 2 FN · 10 + 1 FP · 2 = 22.
        Assert.Equal(22.0 / 7, Outcomes.CostPerApplicant(Seven, 10, 2), 12);
        Assert.Equal(0, Outcomes.CostPerApplicant([], 5, 1));
    }

    [Fact]
    public void Bad_rate_per_band_against_the_mean_predicted_pd()
    {
        var bands = Outcomes.BadRateByBand(Seven, [0.15, 0.5]);

        // ≤ 0.15: 0.10, 0.05, no bad. (0.15, 0.5]: 0.20 bad, 0.30, 0.40 bad. > 0.5: 0.60, 0.70 bad.
        Assert.Equal(3, bands.Count);
        Expect(bands[0], null, 0.15, 2, 0, 0, 0.075);
        Expect(bands[1], 0.15, 0.5, 3, 2, 2.0 / 3, 0.3);
        Expect(bands[2], 0.5, null, 2, 1, 0.5, 0.65);
    }

    private static void Expect(BandOutcome band, double? low, double? high, int decisions, int bad, double rate, double meanPd)
    {
        Assert.Equal((low, high, decisions, bad), (band.Low, band.High, band.Decisions, band.Bad));
        Assert.Equal(rate, band.RealisedBadRate, 12);
        Assert.Equal(meanPd, band.MeanPd, 12);
    }

    [Fact]
    public void An_empty_band_is_listed_with_zero_counts()
    {
        var bands = Outcomes.BadRateByBand([new(0.9, true, true)], [0.5]);

        Assert.Equal(new BandOutcome(null, 0.5, 0, 0, 0, 0), bands[0]);
        Assert.Equal(new BandOutcome(0.5, null, 1, 1, 1, 0.9), bands[1]);
    }

    [Fact]
    public void Auc_is_the_share_of_bad_good_pairs_ranked_right()
    {
        // Bads 0.20, 0.70, 0.40 against goods 0.10, 0.30, 0.60, 0.05: 2 + 4 + 3 of 12 pairs.
        Assert.Equal(0.75, Outcomes.Auc(Seven)!.Value, 12);
        // A tie counts half: bad 0.5 against goods 0.5 and 0.2 = (0.5 + 1) / 2.
        Assert.Equal(0.75, Outcomes.Auc([new(0.5, true, true), new(0.5, true, false), new(0.2, false, false)])!.Value, 12);
        Assert.Null(Outcomes.Auc([new(0.5, true, true)]));
    }

    [Fact]
    public void Auc_by_ranks_equals_counting_every_pair()
    {
        // PDs rounded to two places so ties are common.
        var random = new Random(17);
        var rows = Enumerable.Range(0, 300)
            .Select(_ => (Bad: random.NextDouble() < 0.3, Noise: random.NextDouble()))
            .Select(r => new MaturedDecision(Math.Round(Math.Clamp(r.Noise * 0.7 + (r.Bad ? 0.2 : 0), 0, 1), 2), false, r.Bad))
            .ToArray();
        double pairs = 0, wins = 0;
        foreach (var b in rows.Where(r => r.IsBad))
        {
            foreach (var g in rows.Where(r => !r.IsBad))
            {
                pairs++;
                wins += b.Pd > g.Pd ? 1 : b.Pd == g.Pd ? 0.5 : 0;
            }
        }

        Assert.Equal(wins / pairs, Outcomes.Auc(rows)!.Value, 12);
        Assert.InRange(wins / pairs, 0.6, 0.9); // the PDs carry signal: a wrong sign or an inverted rank would show
    }

    [Fact]
    public void Approval_rate_and_adverse_impact_ratio_per_group()
    {
        // A: 2 of 3 approved; B: 1 of 4. B's ratio = 0.25 / (2/3) = 0.375, below the four-fifths line.
        var groups = Outcomes.ApprovalByGroup(
        [
            ("B", true), ("A", false), ("B", false), ("A", true), ("B", true), ("A", false), ("B", true),
        ]);

        Assert.Equal(["A", "B"], groups.Select(g => g.Group));
        Assert.Equal((3, 2), (groups[0].Decisions, groups[0].Approved));
        Assert.Equal(2.0 / 3, groups[0].ApprovalRate, 12);
        Assert.Equal(1, groups[0].AdverseImpactRatio!.Value, 12);
        Assert.Equal((4, 1), (groups[1].Decisions, groups[1].Approved));
        Assert.Equal(0.375, groups[1].AdverseImpactRatio!.Value, 12);
        Assert.Null(Outcomes.ApprovalByGroup([("A", true)])[0].AdverseImpactRatio);
        Assert.Equal(5.0 / 7, Outcomes.ApprovalRate(Seven.Select(m => m.Rejected).ToArray()), 12);
    }
}
