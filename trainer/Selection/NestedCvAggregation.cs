namespace CreditRisk.Trainer.Selection;

/// <summary>
/// One outer fold's choices and their outcome on its test rows, each array in the order of <see cref="Fold.Test"/>:
/// the procedure's members (<see cref="Picks"/>) and threshold, its PDs and those of its recalibrated variant, the cost
/// of the seed's recipe, of every variant and of every candidate alone, and of the procedure with the protected
/// attributes as inputs (null when the spec has none). <see cref="Money"/> is the money procedure's, with loan-level
/// economics only.
/// </summary>
public sealed record OuterFoldResult(
    Fold Fold,
    string[] Picks,
    double Threshold,
    float[] ProcedurePd,
    float[] RecalibratedPd,
    double[] SeedCost,
    double[][] VariantCost,
    double[][] FixedCost,
    float[]? WithProtectedPd,
    double[]? WithProtectedCost)
{
    public FoldMoney? Money { get; init; }

    /// <summary>Whether the registered recalibration rule fired on this fold's inner out-of-fold PDs.</summary>
    public bool Recalibrated { get; init; }
}

/// <summary>The money procedure on one outer fold's test rows: its members, PDs (plain and Platt-recalibrated) and the
/// money each decision made; <see cref="TodaysRule"/> is the 5:1 procedure's decision counted in money.</summary>
public sealed record FoldMoney(string[] Picks, float[] ModelPd, float[] RecalibratedPd, double[] Model, double[] Recalibrated, double[] TodaysRule)
{
    /// <summary>Whether the registered recalibration rule fired for the money procedure's members in this fold (then <see cref="Model"/> is recalibrated).</summary>
    public bool WasRecalibrated { get; init; }
}

/// <summary>
/// What the aggregation needs besides the folds' results: the run's settings, the names of the variants (the
/// procedure first) and of the candidates in the order of the folds' arrays, the protected attributes (empty: none),
/// and every row's outcome, costs and money (null without loan-level economics).
/// </summary>
public sealed record NestedCvFrame(
    string Fingerprint,
    int OuterSeed,
    int OuterFolds,
    int Repeats,
    int InnerFolds,
    int InnerRepeats,
    IReadOnlyList<string> Variants,
    IReadOnlyList<string> Candidates,
    IReadOnlyList<string> Protected,
    bool[] IsBad,
    CostMatrix Costs,
    Money? Money,
    string Currency);

/// <summary>The one step after the outer folds: place their results by row, then compute every figure of the nested CV.</summary>
public static class NestedCvAggregation
{
    /// <summary>
    /// Each row's figure is its mean over the repeats (each repeat tests every row exactly once); the estimates are
    /// over rows. <see cref="NestedCvResult.WallSeconds"/> is 0: the caller times the run.
    /// </summary>
    public static NestedCvResult Aggregate(NestedCvFrame frame, IReadOnlyList<OuterFoldResult> results)
    {
        var (isBad, costs, repeats) = (frame.IsBad, frame.Costs, frame.Repeats);
        var n = isBad.Length;
        float[][] Pds() => [.. Enumerable.Range(0, repeats).Select(_ => new float[n])];
        var procedurePd = Pds();
        var recalibratedPd = Pds();
        var withProtectedPd = Pds();
        var moneyPd = Pds();
        var moneyRecalibratedPd = Pds();
        var seedCost = new double[repeats, n];
        var withProtectedCost = new double[repeats, n];
        var moneyModel = new double[repeats, n];
        var moneyRecalibrated = new double[repeats, n];
        var moneyToday = new double[repeats, n];
        var variantCost = frame.Variants.Select(_ => new double[repeats, n]).ToArray();
        var fixedCost = frame.Candidates.Select(_ => new double[repeats, n]).ToArray();
        var tested = new int[repeats, n];

        foreach (var result in results)
        {
            var r = result.Fold.Repeat;
            for (var j = 0; j < result.Fold.Test.Length; j++)
            {
                var i = result.Fold.Test[j];
                tested[r, i]++;
                procedurePd[r][i] = result.ProcedurePd[j];
                recalibratedPd[r][i] = result.RecalibratedPd[j];
                seedCost[r, i] = result.SeedCost[j];
                for (var v = 0; v < variantCost.Length; v++)
                {
                    variantCost[v][r, i] = result.VariantCost[v][j];
                }

                for (var c = 0; c < fixedCost.Length; c++)
                {
                    fixedCost[c][r, i] = result.FixedCost[c][j];
                }

                if (result.WithProtectedPd is { } pd && result.WithProtectedCost is { } cost)
                {
                    withProtectedPd[r][i] = pd[j];
                    withProtectedCost[r, i] = cost[j];
                }

                if (result.Money is { } m)
                {
                    moneyPd[r][i] = m.ModelPd[j];
                    moneyRecalibratedPd[r][i] = m.RecalibratedPd[j];
                    moneyModel[r, i] = m.Model[j];
                    moneyRecalibrated[r, i] = m.Recalibrated[j];
                    moneyToday[r, i] = m.TodaysRule[j];
                }
            }
        }

        // A row tested twice in a repeat, or never, would silently bias every figure.
        if (tested.Cast<int>().Any(t => t != 1))
        {
            throw new InvalidOperationException("The outer folds' test rows must cover every row exactly once per repeat.");
        }

        double[] PerApplicant(double[,] c) =>
            Enumerable.Range(0, n).Select(i => Enumerable.Range(0, repeats).Average(r => c[r, i])).ToArray();

        // One PD per applicant for the calibration tests: the mean over repeats of PDs from models that never saw it.
        static float[] MeanOverRepeats(float[][] pd) => FittedModel.Mean(pd);

        // How often each candidate was its family's winner (one per family per outer fold).
        static Dictionary<string, int> Count(IEnumerable<string> picks) =>
            picks.GroupBy(p => p).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

        var procedureCost = PerApplicant(variantCost[0]);
        var procedureAuc = procedurePd.Average(pd => Metrics.Auc(pd, isBad));
        ComplianceCost? compliance = frame.Protected.Count == 0 ? null : new ComplianceCost(
            frame.Protected,
            CostEstimate.FromPerApplicant(PerApplicant(withProtectedCost)),
            withProtectedPd.Average(pd => Metrics.Auc(pd, isBad)),
            CostEstimate.FromPerApplicant(procedureCost.Zip(PerApplicant(withProtectedCost), (a, b) => a - b).ToArray()),
            procedureAuc - withProtectedPd.Average(pd => Metrics.Auc(pd, isBad)));

        var moneyEstimate = frame.Money is not { } money ? null
            : MoneyEstimate.Of(money, isBad, PerApplicant(moneyModel), PerApplicant(moneyRecalibrated), PerApplicant(moneyToday),
                MeanOverRepeats(moneyPd), MeanOverRepeats(moneyRecalibratedPd), Count(results.SelectMany(r => r.Money?.Picks ?? [])))
            with
            { Currency = frame.Currency };

        var variants = frame.Variants.Zip(variantCost).ToArray();
        var fixedCandidates = frame.Candidates.Zip(fixedCost).ToArray();
        return new NestedCvResult(
            frame.Fingerprint,
            frame.OuterSeed,
            frame.OuterFolds,
            repeats,
            frame.InnerFolds,
            frame.InnerRepeats,
            CostEstimate.FromPerApplicant(procedureCost),
            // AUC of the procedure's out-of-fold PDs, averaged over repeats (each repeat scores every row once).
            procedureAuc,
            CostEstimate.FromPerApplicant(PerApplicant(seedCost)),
            CostEstimate.FromPerApplicant(isBad.Select(b => costs.Cost(b, rejected: true)).ToArray()),
            CostEstimate.FromPerApplicant(isBad.Select(b => costs.Cost(b, rejected: false)).ToArray()),
            Count(results.SelectMany(r => r.Picks)),
            [.. results.Select(r => r.Threshold)],
            variants.ToDictionary(v => v.First, v => CostEstimate.FromPerApplicant(PerApplicant(v.Second))),
            fixedCandidates.ToDictionary(c => c.First, c => CostEstimate.FromPerApplicant(PerApplicant(c.Second))),
            // Paired: the same applicants on the same folds, so the interval of a difference is far narrower than the
            // two intervals side by side suggest.
            variants.Skip(1).Concat(fixedCandidates.Select(c => (First: "always " + c.First, c.Second)))
                .ToDictionary(v => v.First, v => CostEstimate.FromPerApplicant(PerApplicant(v.Second).Zip(procedureCost, (a, b) => a - b).ToArray())),
            compliance,
            MeanOverRepeats(procedurePd),
            MeanOverRepeats(recalibratedPd),
            WallSeconds: 0)
        {
            Money = moneyEstimate,
            RecalibratedFolds = results.Count(r => r.Recalibrated),
            MoneyRecalibratedFolds = frame.Money is null ? null : results.Count(r => r.Money?.WasRecalibrated == true),
        };
    }
}
