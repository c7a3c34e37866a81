using CreditRisk.Contracts;
using CreditRisk.Trainer.Report;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Tests;

public class CostMatrixTests
{
    [Fact]
    public void Cost_weighs_false_negatives_five_and_false_positives_one()
    {
        var costs = CostMatrix.Default;
        var c = new Confusion(TruePositives: 10, FalsePositives: 3, TrueNegatives: 80, FalseNegatives: 7);
        Assert.Equal(5 * 7 + 3, costs.Cost(c));
        Assert.Equal(38 / 100.0, costs.CostPerApplicant(c));
        Assert.Equal(0, costs.CostPerApplicant(default));
    }

    [Fact]
    public void Bayes_threshold_is_one_sixth_and_the_rule_is_strictly_greater()
    {
        Assert.Equal(1 / 6.0, CostMatrix.Default.BayesThreshold, 12);
        Assert.False(Decisions.Rejects(0.25, 0.25));
        Assert.True(Decisions.Rejects(0.2500001, 0.25));
        Assert.Equal(CostWeights.FalseNegative, CostMatrix.Default.Cost(isBad: true, rejected: false));
        Assert.Equal(CostWeights.FalsePositive, CostMatrix.Default.Cost(isBad: false, rejected: true));
    }

    [Fact]
    public void Thresholds_zero_and_one_reject_everyone_with_positive_pd_and_nobody()
    {
        float[] pd = [0f, 0.1f, 0.5f, 1f];
        bool[] bad = [false, true, false, true];
        var atZero = CostMatrix.Confuse(pd, bad, 0);
        Assert.Equal(3, atZero.Rejected); // PD 0 is not > 0
        var atOne = CostMatrix.Confuse(pd, bad, 1);
        Assert.Equal(0, atOne.Rejected); // PD 1 is not > 1
        Assert.Equal(2, atOne.FalseNegatives);
    }
}

public class ThresholdSearchTests
{
    private static readonly CostMatrix Costs = CostMatrix.Default;

    private static ThresholdPoint Best(float[] pd, bool[] isBad, CostMatrix costs) => Best(ThresholdSearch.Curve(pd, isBad, costs), costs.BayesThreshold);

    private static ThresholdPoint Best(IReadOnlyList<ThresholdPoint> curve, double bayes, int smoothing = 0) => ThresholdSearch.BestSmoothed(curve, bayes, smoothing).Point;

    [Fact]
    public void Perfectly_separated_scores_cost_nothing_with_a_threshold_between_the_classes()
    {
        float[] pd = [0.1f, 0.2f, 0.3f, 0.7f, 0.8f];
        bool[] bad = [false, false, false, true, true];
        var best = Best(pd, bad, Costs);
        Assert.Equal(0, best.Cost);
        Assert.InRange(best.Threshold, 0.3, 0.7);
    }

    [Fact]
    public void Curve_runs_from_threshold_zero_to_one_and_every_point_matches_a_direct_count()
    {
        var random = new Random(3);
        var pd = Enumerable.Range(0, 200).Select(_ => (float)Math.Round(random.NextDouble(), 2)).ToArray();
        var bad = pd.Select(p => random.NextDouble() < p).ToArray();
        var curve = ThresholdSearch.Curve(pd, bad, Costs);
        Assert.Equal(0, curve[0].Threshold);
        Assert.Equal(1, curve[^1].Threshold);
        foreach (var point in curve)
        {
            Assert.Equal(CostMatrix.Confuse(pd, bad, point.Threshold), point.Confusion);
        }

        // No threshold on a fine grid does better than the search.
        var best = Best(curve, Costs.BayesThreshold);
        for (var t = 0.0; t <= 1.0; t += 0.001)
        {
            Assert.True(Costs.Cost(CostMatrix.Confuse(pd, bad, t)) >= best.Cost);
        }
    }

    [Fact]
    public void All_good_rows_are_best_accepted_and_all_bad_rows_best_rejected()
    {
        float[] pd = [0.2f, 0.4f, 0.6f];
        var good = Best(pd, [false, false, false], Costs);
        Assert.Equal(0, good.Cost);
        Assert.Equal(0, good.Confusion.Rejected);

        var bad = Best(pd, [true, true, true], Costs);
        Assert.Equal(0, bad.Cost);
        Assert.Equal(3, bad.Confusion.Rejected);
    }

    [Fact]
    public void Equal_pds_move_together_and_ties_go_to_the_threshold_nearest_bayes()
    {
        // Two equal PDs, one good one bad: rejecting both costs 1, accepting both costs 5.
        float[] pd = [0.3f, 0.3f];
        bool[] bad = [false, true];
        var curve = ThresholdSearch.Curve(pd, bad, Costs);
        Assert.Equal(2, curve.Count);
        Assert.Equal(1, Best(curve, Costs.BayesThreshold).Cost);

        // Cost 0 for any threshold in [0.1, 0.9): the tie goes to the one closest to 1/6.
        var tied = new List<ThresholdPoint>
        {
            new(0.1, default, 0, 0),
            new(0.5, default, 0, 0),
            new(0.9, default, 3, 0.1),
        };
        Assert.Equal(0.1, Best(tied, 1 / 6.0).Threshold);
    }

    [Fact]
    public void Smoothing_prefers_a_broad_valley_to_a_lucky_dip()
    {
        double[] costs = [5, 5, 1, 5, 5, 2, 2, 2, 2, 2];
        var curve = costs.Select((c, i) => new ThresholdPoint(i / 10.0, default, c, c / 10)).ToArray();
        Assert.Equal(0.2, Best(curve, 1 / 6.0).Threshold, 12);
        Assert.InRange(Best(curve, 1 / 6.0, smoothing: 1).Threshold, 0.6, 0.9);
        Assert.Throws<ArgumentOutOfRangeException>(() => Best(curve, 1 / 6.0, smoothing: -1));
    }

    [Fact]
    public void Pds_of_exactly_zero_and_one_are_handled()
    {
        float[] pd = [0f, 0f, 1f, 1f];
        bool[] bad = [false, false, true, true];
        var best = Best(pd, bad, Costs);
        Assert.Equal(0, best.Cost);
        Assert.InRange(best.Threshold, 0, 1);
    }
}

public class SelectionRuleTests
{
    [Fact]
    public void Lowest_cost_wins()
    {
        var chosen = SelectionRule.Select([new(0, "a", 0.6, 0.2), new(1, "b", 0.5, 0.1), new(2, "c", 0.55, 0.3)]);
        Assert.Equal("b", chosen.Name);
    }

    [Fact]
    public void Ties_go_to_the_earlier_simpler_candidate()
    {
        var chosen = SelectionRule.Select([new(0, "simple", 0.5, 0.2), new(1, "complex", 0.5, 0.1)]);
        Assert.Equal("simple", chosen.Name);
        Assert.Equal("simple", SelectionRule.Select([new(1, "complex", 0.5, 0.1), new(0, "simple", 0.5 + 1e-15, 0.2)]).Name);
    }

    [Fact]
    public void Nan_costs_are_ignored_and_nothing_to_choose_from_throws()
    {
        Assert.Equal("b", SelectionRule.Select([new(0, "a", double.NaN, 0.2), new(1, "b", 0.9, 0.1)]).Name);
        Assert.Throws<ArgumentException>(() => SelectionRule.Select([]));
        Assert.Throws<ArgumentException>(() => SelectionRule.Select([new(0, "a", double.NaN, 0.2)]));
    }

    [Fact]
    public void Per_family_picks_the_cheapest_of_each_family_in_grid_order_and_never_compares_families()
    {
        // Family "x" is far worse than "y", yet its best member is still chosen: nothing is chosen between families.
        CandidateScore[] scores = [new(0, "x1", 0.9, 0.1), new(1, "x2", 0.8, 0.2), new(2, "y1", 0.5, 0.1), new(3, "y2", 0.4, 0.3), new(4, "z1", 0.6, 0.2)];
        var family = new Dictionary<int, string> { [0] = "x", [1] = "x", [2] = "y", [3] = "y", [4] = "z" };
        var winners = SelectionRule.PerFamily(scores, s => family[s.Index]);
        Assert.Equal(["x2", "y2", "z1"], winners.Select(w => w.Name));

        // Within a family the usual rule holds: ties to the earlier candidate, NaN ignored.
        CandidateScore[] tied = [new(0, "a", 0.5, 0.1), new(1, "b", 0.5, 0.2), new(2, "c", double.NaN, 0.1), new(3, "d", 0.7, 0.1)];
        Assert.Equal(["a", "d"], SelectionRule.PerFamily(tied, s => s.Index < 2 ? 0 : 1).Select(w => w.Name));
        Assert.Throws<ArgumentException>(() => SelectionRule.PerFamily<int>([], _ => 0));
    }
}

public class EnsembleTests
{
    [Fact]
    public void Mean_averages_element_wise_and_a_single_member_is_itself()
    {
        float[] a = [0.1f, 0.5f, 0.9f];
        float[] b = [0.3f, 0.5f, 0.1f];
        Assert.Equal([0.2f, 0.5f, 0.5f], FittedModel.Mean([a, b]));
        Assert.Same(a, FittedModel.Mean([a]));
        var oof = FittedModel.Mean([[a, b], [b, a]]);
        Assert.Equal(2, oof.Length);
        Assert.Equal(oof[0], oof[1]);
    }

    [Fact]
    public void An_ensemble_names_its_members_has_no_pipeline_of_its_own_and_does_not_nest()
    {
        var members = Candidate.OnePerFamily();
        var ensemble = Candidate.MeanOf(members);
        Assert.Equal(LearnerKind.Ensemble, ensemble.Kind);
        Assert.All(members, m => Assert.Contains(m.Name, ensemble.Name, StringComparison.Ordinal));
        Assert.Equal("mean PD", ensemble.HyperparameterStrings["combination"]);
        Assert.Equal(members[0].Name, ensemble.HyperparameterStrings["member1"]);
        Assert.Throws<InvalidOperationException>(() => new Training(TestData.Spec, 1).Fit(ensemble, TestData.Rows));
        Assert.Throws<ArgumentException>(() => Candidate.MeanOf([ensemble]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Candidate.MeanOf([]));
    }
}

public class CrossValidationTests
{
    [Fact]
    public void Stratified_folds_partition_the_rows_keep_the_bad_rate_and_are_reproducible()
    {
        var bad = Enumerable.Range(0, 1000).Select(i => i % 10 < 3).ToArray();
        var folds = CrossValidation.StratifiedFolds(bad, 5, 2, seed: 42);
        Assert.Equal(10, folds.Count);
        foreach (var repeat in folds.GroupBy(f => f.Repeat))
        {
            Assert.Equal(Enumerable.Range(0, 1000), repeat.SelectMany(f => f.Test).Order());
            Assert.All(repeat, f => Assert.Equal(60, f.Test.Count(i => bad[i])));
            Assert.All(repeat, f => Assert.Empty(f.Train.Intersect(f.Test)));
        }

        Assert.NotEqual(folds[0].Test, folds[5].Test);
        Assert.Equal(folds.Select(f => f.Test), CrossValidation.StratifiedFolds(bad, 5, 2, seed: 42).Select(f => f.Test));
    }

    [Fact]
    public void One_class_data_still_splits_and_its_auc_is_undefined()
    {
        var bad = new bool[20];
        var folds = CrossValidation.StratifiedFolds(bad, 5, 1, seed: 1);
        Assert.All(folds, f => Assert.Equal(4, f.Test.Length));
        Assert.True(double.IsNaN(Metrics.Auc(new float[20], bad)));
    }

    [Fact]
    public void Auc_is_one_for_perfect_ranking_a_half_for_ties_and_ks_is_the_largest_gap()
    {
        Assert.Equal(1, Metrics.Auc([0.1f, 0.2f, 0.8f, 0.9f], [false, false, true, true]));
        Assert.Equal(0, Metrics.Auc([0.9f, 0.8f, 0.2f, 0.1f], [false, false, true, true]));
        Assert.Equal(0.5, Metrics.Auc([0.5f, 0.5f, 0.5f, 0.5f], [false, true, false, true]));
        var curve = ThresholdSearch.Curve([0.1f, 0.2f, 0.8f, 0.9f], [false, false, true, true], CostMatrix.Default);
        Assert.Equal(1, Metrics.Ks(curve));
    }
}

public class CalibrationTests
{
    [Fact]
    public void Platt_fit_recovers_the_map_that_generated_the_outcomes_and_calibrated_pds_pass_the_rule()
    {
        // Outcomes drawn from PD' = sigmoid(0.5 + 0.7·logit(PD)): the fit must find (0.5, 0.7), and the raw PDs, too
        // extreme for those outcomes, must fail the pre-registered rule while the recalibrated ones pass it.
        var random = new Random(11);
        var pd = Enumerable.Range(0, 20_000).Select(_ => (float)(0.02 + 0.96 * random.NextDouble())).ToArray();
        var truth = new Platt(0.5, 0.7, 0, 0);
        var bad = pd.Select(p => random.NextDouble() < truth.Apply((double)p)).ToArray();
        var fit = Platt.Fit(pd, bad);
        Assert.Equal(0.5, fit.A, 0.1);
        Assert.Equal(0.7, fit.B, 0.05);

        var raw = CalibrationReport.Of(pd, bad);
        Assert.True(raw.Miscalibrated);
        Assert.InRange(raw.Slope, raw.SlopeCi95Low, raw.SlopeCi95High);
        Assert.True(raw.SlopeCi95High < 1);
        var recalibrated = CalibrationReport.Of(fit.Apply(pd), bad);
        Assert.False(recalibrated.Miscalibrated);
        Assert.Equal(1, recalibrated.Slope, 0.01);
        Assert.Equal(10, recalibrated.Bins.Count);
        Assert.Equal(pd.Length, recalibrated.Bins.Sum(b => b.Applicants));
    }

    [Fact]
    public void Spiegelhalter_p_is_a_two_sided_normal_tail()
    {
        Assert.Equal(0.05, 2 * Normal.UpperTail(1.959964), 1e-6);
        Assert.Equal(0.5, Normal.UpperTail(0), 1e-7);
        var (low, high) = CalibrationReport.Wilson(0, 10);
        Assert.Equal(0, low);
        Assert.InRange(high, 0.27, 0.29); // Wilson's interval for 0 of 10 reaches 27.8 %
    }
}
