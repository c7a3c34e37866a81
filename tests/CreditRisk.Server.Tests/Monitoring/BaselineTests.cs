using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Server.Monitoring;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>The training baseline and PSI on hand-sized samples, every expected number worked out by hand.</summary>
public sealed class BaselineTests
{
    [Fact]
    public void Deciles_of_one_to_ten_cut_after_every_even_value_with_fifths()
    {
        // Five bins of 1..10: cut points at the 20/40/60/80 % quantiles = 2, 4, 6, 8; each bin holds two values.
        var d = Distribution.OfNumbers(Enumerable.Range(1, 10).Select(i => (double?)i).Append(null).ToArray(), bins: 5);

        Assert.Equal([2.0, 4, 6, 8], d.Edges!);
        Assert.Equal([0.2, 0.2, 0.2, 0.2, 0.2], d.Shares);
        Assert.Equal(1.0 / 11, d.MissingShare, 12);
    }

    [Fact]
    public void Repeated_quantiles_merge_so_no_training_bin_is_empty()
    {
        // Quartiles of 1,1,1,1,2,2,3,4: 1, 1 (merged), 2; the maximum 4 is never a cut point. Bins ≤1, (1,2], >2.
        var d = Distribution.OfNumbers([1, 1, 1, 1, 2, 2, 3, 4], bins: 4);

        Assert.Equal([1.0, 2], d.Edges!);
        Assert.Equal([0.5, 0.25, 0.25], d.Shares);
        Assert.Equal(0, d.MissingShare);
    }

    [Fact]
    public void A_value_on_a_cut_point_falls_in_the_lower_bin()
    {
        Assert.Equal(0, Distribution.BinOf([2, 4], 2));
        Assert.Equal(1, Distribution.BinOf([2, 4], 2.5));
        Assert.Equal(1, Distribution.BinOf([2, 4], 4));
        Assert.Equal(2, Distribution.BinOf([2, 4], 5));
        Assert.Equal(0, Distribution.BinOf([], 1e9));
    }

    [Fact]
    public void Categories_keep_every_listed_level_and_refuse_an_unlisted_one()
    {
        var d = Distribution.OfCategories(["a", "b", "c"], ["a", "a", "b", null]);

        Assert.Equal(["a", "b", "c"], d.Levels!);
        Assert.Equal([2.0 / 3, 1.0 / 3, 0], d.Shares);
        Assert.Equal(0.25, d.MissingShare);
        Assert.Throws<ArgumentException>(() => d.CountCategories(["z"]));
    }

    [Fact]
    public void Psi_is_the_sum_of_share_differences_times_their_log_ratio()
    {
        var expected = Distribution.OfNumbers([1, 2], bins: 2);   // cut at 1: shares 0.5, 0.5
        var actual = expected.CountNumbers([1, 2, 2, 2]);         // 0.25, 0.75

        // (0.25 − 0.5)·ln(0.25/0.5) + (0.75 − 0.5)·ln(0.75/0.5)
        Assert.Equal(0.2746530721670274, Psi.Of(expected, actual), 12);
        Assert.Equal(0, Psi.Of(expected, expected.CountNumbers([2, 1])), 12);
    }

    [Fact]
    public void An_empty_live_bin_counts_with_the_epsilon_share_so_psi_stays_finite()
    {
        var expected = Distribution.OfNumbers([1, 2], bins: 2);
        var actual = expected.CountNumbers([1, 1]); // 1, 0

        // (1 − 0.5)·ln(1/0.5) + (0.0001 − 0.5)·ln(0.0001/0.5)
        Assert.Equal(4.60431846666895, Psi.Of(expected, actual), 10);
    }

    [Fact]
    public void Missing_values_are_a_bin_of_their_own()
    {
        var expected = Distribution.OfNumbers([1, 2], bins: 2);
        var actual = expected.CountNumbers([1, 2, null, null]); // bins 0.25, 0.25 of all; missing 0.5

        // missing: (0.5 − 0.0001)·ln(0.5/0.0001); each bin: (0.25 − 0.5)·ln(0.25/0.5)
        var byHand = (0.5 - 1e-4) * Math.Log(0.5 / 1e-4) + 2 * (0.25 - 0.5) * Math.Log(0.5);
        Assert.Equal(byHand, Psi.Of(expected, actual), 12);
    }

    [Theory]
    [InlineData(0.0, PsiBand.Stable)]
    [InlineData(0.0999, PsiBand.Stable)]
    [InlineData(0.1, PsiBand.Watch)]
    [InlineData(0.25, PsiBand.Watch)]
    [InlineData(0.2501, PsiBand.Act)]
    public void Bands_are_below_point_one_stable_up_to_a_quarter_watch_above_act(double psi, PsiBand band) =>
        Assert.Equal(band, Psi.Band(psi));

    [Fact]
    public void The_baseline_round_trips_through_json_as_a_card_would_carry_it()
    {
        var spec = TestModels.Spec();
        var applicants = new[] { TestModels.SpecApplicant(spec, 0), TestModels.SpecApplicant(spec, 1) }
            .Select(a => (IReadOnlyDictionary<string, JsonElement>)a).ToArray();
        var baseline = MonitoringBaseline.Fit(spec.Inputs, applicants, [0.1, 0.9], threshold: 0.5);

        var json = JsonSerializer.Serialize(baseline, DatasetSpec.Json);
        var back = JsonSerializer.Deserialize<MonitoringBaseline>(json, DatasetSpec.Json)!;

        Assert.Equal(json, JsonSerializer.Serialize(back, DatasetSpec.Json));
        Assert.Equal(spec.Inputs.Select(f => f.Name), back.Features.Select(f => f.Name));
        var inputs = spec.Inputs.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(MonitoringFigures.Stability(back, inputs, applicants, [0.1, 0.9]).Features, f => Assert.Equal(0, f.Psi, 12));
    }

    [Fact]
    public void The_baseline_keeps_the_training_mean_pd_and_approval_rate_at_the_threshold()
    {
        var spec = TestModels.Spec();
        var applicants = Enumerable.Range(0, 4).Select(i => (IReadOnlyDictionary<string, JsonElement>)TestModels.SpecApplicant(spec, i)).ToArray();

        // PDs 0.1, 0.2, 0.5, 0.9 at threshold 0.5: reject only above it, so three of four approved; mean 1.7 / 4.
        var baseline = MonitoringBaseline.Fit(spec.Inputs, applicants, [0.1, 0.2, 0.5, 0.9], threshold: 0.5);

        Assert.Equal(4, baseline.Rows);
        Assert.Equal(0.425, baseline.MeanPd, 12);
        Assert.Equal(0.75, baseline.ApprovalRate, 12);
    }
}
