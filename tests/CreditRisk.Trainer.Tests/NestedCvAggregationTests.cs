using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Tests;

/// <summary>
/// The nested CV's one aggregation step on hand-made outer-fold results: four applicants (bad, good, good, bad), two
/// outer folds × two repeats, costs 5:1. Every expected figure is worked out by hand in the comments.
/// </summary>
public class NestedCvAggregationTests
{
    private static readonly bool[] IsBad = [true, false, false, true];

    // Repeat 0 tests rows {0, 1} then {2, 3}; repeat 1 tests {0, 2} then {1, 3}.
    private static readonly Fold[] Folds =
    [
        new(0, 0, [2, 3], [0, 1]),
        new(0, 1, [0, 1], [2, 3]),
        new(1, 0, [1, 3], [0, 2]),
        new(1, 1, [0, 2], [1, 3]),
    ];

    /// <summary>Per repeat, per row (row order, not fold order): the fold results take the values of their test rows.</summary>
    private static T[] Of<T>(Fold fold, T[][] byRepeat) => [.. fold.Test.Select(i => byRepeat[fold.Repeat][i])];

    private static NestedCvFrame Frame(IReadOnlyList<string> protectedNames, Money? money = null) =>
        new("fp", 7, OuterFolds: 2, Repeats: 2, InnerFolds: 5, InnerRepeats: 1, ["procedure", "other"], ["c1"], protectedNames,
            IsBad, new CostMatrix(5, 1), money, money is null ? "" : "EUR");

    private static OuterFoldResult[] Results(bool withProtected)
    {
        double[][] procedure = [[0, 1, 0, 5], [5, 0, 1, 0]];
        double[][] other = [[0, 0, 0, 0], [0, 0, 1, 5]];
        double[][] fixedC1 = [[1, 1, 1, 1], [1, 1, 1, 1]];
        double[][] seed = [[5, 1, 1, 5], [5, 1, 1, 5]];
        float[][] pd = [[0.8f, 0.1f, 0.2f, 0.6f], [0.6f, 0.3f, 0.7f, 0.8f]];
        float[][] recalibrated = [[0.5f, 0.5f, 0.5f, 0.5f], [0.3f, 0.3f, 0.3f, 0.3f]];
        float[][] protectedPd = [[0.8f, 0.1f, 0.2f, 0.6f], [0.8f, 0.1f, 0.2f, 0.6f]];
        double[][] protectedCost = [[0, 0, 0, 0], [0, 0, 0, 0]];
        string[][] picks = [["c1", "c3"], ["c1", "c2"], ["c3", "c1"], ["c2", "c1"]];
        return [.. Folds.Select((f, o) => new OuterFoldResult(
            f, picks[o], 0.1 * (o + 1), Of(f, pd), Of(f, recalibrated), Of(f, seed),
            [Of(f, procedure), Of(f, other)], [Of(f, fixedC1)],
            withProtected ? Of(f, protectedPd) : null, withProtected ? Of(f, protectedCost) : null))];
    }

    [Fact]
    public void Every_figure_is_the_mean_over_rows_of_each_rows_mean_over_repeats()
    {
        var result = NestedCvAggregation.Aggregate(Frame(["sex"]), Results(withProtected: true));

        // Procedure per row: (0+5)/2, (1+0)/2, (0+1)/2, (5+0)/2 = 2.5, 0.5, 0.5, 2.5: mean 1.5, sd √(4/3),
        // half-width 1.96·√(4/3)/√4 = 1.131607.
        Assert.Equal(1.5, result.Procedure.Mean, 12);
        Assert.Equal(1.5 - 1.131607, result.Procedure.Ci95Low, 6);
        Assert.Equal(1.5 + 1.131607, result.Procedure.Ci95High, 6);
        // AUC: repeat 0 ranks both bads (0.8, 0.6) above both goods (0.1, 0.2): 1; repeat 1 bads 0.6, 0.8 vs goods
        // 0.3, 0.7: 3 of 4 pairs: 0.75. Mean 0.875.
        Assert.Equal(0.875, result.ProcedureAuc, 12);
        Assert.Equal(3, result.SeedRecipe.Mean, 12);
        Assert.Equal(0.5, result.RejectAll.Mean, 12); // the two goods cost 1 each
        Assert.Equal(2.5, result.AcceptAll.Mean, 12); // the two bads cost 5 each
        Assert.Equal(["procedure", "other"], result.Variants.Keys);
        Assert.Equal(0.75, result.Variants["other"].Mean, 12); // rows 0, 0, 0.5, 2.5
        Assert.Equal(1, result.FixedCandidates["c1"].Mean, 12);
        // Paired differences, row by row against the procedure: other [−2.5, −0.5, 0, 0]; c1 [−1.5, 0.5, 0.5, −1.5].
        Assert.Equal(["other", "always c1"], result.DifferenceFromProcedure.Keys);
        Assert.Equal(-0.75, result.DifferenceFromProcedure["other"].Mean, 12);
        Assert.Equal(-0.5, result.DifferenceFromProcedure["always c1"].Mean, 12);
        // Picks counted over folds, most first, ties by name: c1 4, then c2 2 and c3 2.
        Assert.Equal([KeyValuePair.Create("c1", 4), KeyValuePair.Create("c2", 2), KeyValuePair.Create("c3", 2)], result.Picks);
        Assert.Equal([0.1, 0.2, 0.30000000000000004, 0.4], result.Thresholds);
        // Each row's PD is the mean of its two repeats.
        Assert.Equal([0.7f, 0.2f, 0.45f, 0.7f], result.ProcedurePd.Select(p => MathF.Round(p, 5)));
        Assert.Equal([0.4f, 0.4f, 0.4f, 0.4f], result.RecalibratedPd.Select(p => MathF.Round(p, 5)));
        // With the protected attribute: cost 0 everywhere, AUC 1 in both repeats.
        var compliance = Assert.IsType<ComplianceCost>(result.Compliance);
        Assert.Equal(["sex"], compliance.Attributes);
        Assert.Equal(0, compliance.WithProtected.Mean, 12);
        Assert.Equal(1, compliance.WithProtectedAuc, 12);
        Assert.Equal(1.5, compliance.Difference.Mean, 12);
        Assert.Equal(-0.125, compliance.AucDifference, 12);
        Assert.Null(result.Money);
        Assert.Equal(("fp", 7, 2, 2, 5, 1, 0.0), (result.Fingerprint, result.OuterSeed, result.OuterFolds, result.Repeats, result.InnerFolds, result.InnerRepeats, result.WallSeconds));
    }

    [Fact]
    public void Without_protected_attributes_there_is_no_cost_of_compliance()
    {
        var result = NestedCvAggregation.Aggregate(Frame([]), Results(withProtected: false));
        Assert.Null(result.Compliance);
        Assert.Equal(1.5, result.Procedure.Mean, 12);
    }

    [Fact]
    public void Folds_that_do_not_test_every_row_once_per_repeat_are_refused()
    {
        var results = Results(withProtected: true);
        Assert.Throws<InvalidOperationException>(() => NestedCvAggregation.Aggregate(Frame(["sex"]), results[..3]));
        Assert.Throws<InvalidOperationException>(() => NestedCvAggregation.Aggregate(Frame(["sex"]), [.. results, results[0]]));
    }

    [Fact]
    public void With_loan_level_economics_the_money_figures_come_from_the_folds_money_and_each_loans_amounts()
    {
        var spec = DatasetSpec.Parse("""
            {"name":"t","title":"T","source":{"path":"t.csv"},"target":{"column":"o","bad":["1"],"good":["0"]},
             "costs":{"loan":{"currency":"EUR","exposure":"amount","rate":"rate","term":"months","lossGivenDefault":0.9}},
             "features":[{"name":"amount","kind":"real","min":500},{"name":"rate","kind":"real","min":0,"max":40},
                         {"name":"months","kind":"integer","min":1,"max":120}]}
            """, "t.json");
        CreditRecord Loan(float amount, bool bad) => new([null, null, null], [amount, 12, 36], bad);
        var money = Money.Of(spec, [Loan(1000, true), Loan(2000, false), Loan(3000, false), Loan(4000, true)]);
        double[][] model = [[-900, 100, 50, 0], [0, 100, 50, -900]];
        double[][] recalibrated = [[0, 100, 50, 0], [0, 100, 50, 0]];
        double[][] today = [[0, 0, 0, 0], [0, 0, 0, 0]];
        float[][] pd = [[0.8f, 0.1f, 0.2f, 0.6f], [0.6f, 0.3f, 0.7f, 0.8f]];
        string[][] picks = [["m1"], ["m2"], ["m1"], ["m1"]];
        var results = Results(withProtected: false).Select((r, o) => r with
        {
            Money = new FoldMoney(picks[o], Of(r.Fold, pd), Of(r.Fold, pd), Of(r.Fold, model), Of(r.Fold, recalibrated), Of(r.Fold, today)),
        }).ToArray();

        var m = Assert.IsType<MoneyEstimate>(NestedCvAggregation.Aggregate(Frame([], money), results).Money);

        Assert.Equal("EUR", m.Currency);
        Assert.Equal(2500, m.MeanExposure, 9);
        // Model per loan: −450, 100, 50, −450: mean −187.5. Recalibrated: 0, 100, 50, 0: 37.5. Today: 0.
        Assert.Equal(-187.5, m.Model.Mean, 9);
        Assert.Equal(37.5, m.ModelRecalibrated.Mean, 9);
        Assert.Equal(0, m.TodaysRule.Mean, 9);
        Assert.Equal(-187.5, m.ModelMinusTodaysRule.Mean, 9);
        // Approve all: the bads lose 90 % of 1,000 and 4,000, the goods make their margin.
        Assert.Equal(900.0, money.Amounts[0].Loss, 0.01);
        Assert.Equal(3600.0, money.Amounts[3].Loss, 0.01);
        var approveAll = (-(double)money.Amounts[0].Loss - money.Amounts[3].Loss + money.Amounts[1].Margin + money.Amounts[2].Margin) / 4.0;
        Assert.Equal(approveAll, m.ApproveAll.Mean, 3);
        Assert.Equal(-187.5 - approveAll, m.ModelMinusApproveAll.Mean, 3);
        Assert.Equal([KeyValuePair.Create("m1", 3), KeyValuePair.Create("m2", 1)], m.Picks);
        Assert.Equal([0.7f, 0.2f, 0.45f, 0.7f], m.ModelPd.Select(p => MathF.Round(p, 5)));
    }
}
