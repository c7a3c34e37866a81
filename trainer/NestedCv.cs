using System.Text.Json;

namespace CreditRisk.Trainer;

/// <summary>
/// Results of the nested cross-validation, cached in <c>nested-cv.json</c> so the default run can report them.
/// <see cref="Fingerprint"/> ties them to the data, seed, grid and exclusions they were computed for.
/// </summary>
public sealed record NestedCvResult(
    string Fingerprint,
    int OuterFolds,
    int Repeats,
    int InnerFolds,
    int InnerRepeats,
    CostEstimate Procedure,
    double ProcedureAuc,
    CostEstimate SeedRecipe,
    CostEstimate RejectAll,
    CostEstimate AcceptAll,
    IReadOnlyDictionary<string, int> Picks,
    IReadOnlyList<double> Thresholds,
    IReadOnlyDictionary<string, CostEstimate> Variants,
    IReadOnlyDictionary<string, CostEstimate> FixedCandidates,
    double WallSeconds)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string FingerprintOf(TrainerOptions options, string dataSha256, IReadOnlyList<Candidate> grid) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("|",
            [dataSha256, options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), options.Smoothing.ToString("R", System.Globalization.CultureInfo.InvariantCulture), options.Repeats.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(",", options.Excluded), .. grid.Select(c => c.Name)]))))[..16];

    public static NestedCvResult? TryLoad(string path, string fingerprint)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var result = JsonSerializer.Deserialize<NestedCvResult>(File.ReadAllText(path), Json);
        return result?.Fingerprint == fingerprint ? result : null;
    }
}

/// <summary>
/// Nested cross-validation of the whole procedure: in every outer training set, the inner stratified K-fold picks
/// the candidate and its threshold exactly as the default run does on all data (same folds × repeats, same rules); the outer test fold, never seen by
/// that choice, is then scored. The seed's recipe (one 80/20 split, best cost at threshold 0.5) runs on the same
/// outer folds for comparison.
/// </summary>
public static class NestedCv
{
    public const int InnerFolds = 5;

    public static NestedCvResult Run(
        IReadOnlyList<CreditRecord> rows,
        IReadOnlyList<Candidate> grid,
        Training training,
        int folds,
        int repeats,
        int innerRepeats,
        double smoothingShare,
        string fingerprint,
        Action? onOuterFold = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var costs = CostMatrix.Default;
        var isBad = rows.Select(r => r.IsBad).ToArray();
        var outer = CrossValidation.StratifiedFolds(isBad, folds, repeats, training.Seed + 7919);
        var procedurePd = Enumerable.Range(0, repeats).Select(_ => new float[rows.Count]).ToArray();
        var procedureCost = new double[repeats, rows.Count];
        var seedCost = new double[repeats, rows.Count];
        var picks = new string[outer.Count];
        var thresholds = new double[outer.Count];

        // Variants of the procedure, all scored from the same inner and outer predictions: threshold rules
        // (smoothing of the cost curve, or the Bayes threshold), and candidate pools. The product uses the first.
        var variants = Variants(grid, smoothingShare);
        var variantCost = variants.ToDictionary(v => v.Name, _ => new double[repeats, rows.Count]);
        var fixedCost = grid.ToDictionary(c => c.Name, _ => new double[repeats, rows.Count]);

        Parallel.For(0, outer.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, o =>
        {
            var fold = outer[o];
            var train = fold.Train.Select(i => rows[i]).ToArray();
            var test = fold.Test.Select(i => rows[i]).ToArray();
            var trainBad = train.Select(r => r.IsBad).ToArray();

            // Inner CV on the outer training set gives every candidate's out-of-fold PDs; each candidate is also
            // refit on the whole outer training set and scores the outer test fold.
            var inner = CrossValidation.StratifiedFolds(trainBad, InnerFolds, innerRepeats, training.Seed + o);
            var innerPd = grid.Select(c => training.OutOfFold(c, train, inner)).ToArray();
            var testPd = grid.Select(c => Training.Predict(training.Fit(c, train), test)).ToArray();

            // The procedure (and its variants): select candidate and threshold from the inner CV only.
            var chosenPerVariant = variants.Select(v => v.Choose(innerPd, trainBad, costs)).ToArray();
            var chosen = chosenPerVariant[0];
            picks[o] = chosen.Name;
            thresholds[o] = chosen.Threshold;
            var fixedChoices = grid.Select((c, i) =>
                CandidateResult.Evaluate(i, c, innerPd[i], trainBad, costs, smoothingShare).Score).ToArray();

            // The seed's recipe: one 80/20 split of the outer training set, lowest cost at threshold 0.5.
            var (fit, holdOut) = CrossValidation.StratifiedSplit(trainBad, 0.8, training.Seed + o);
            var fitRows = fit.Select(i => train[i]).ToArray();
            var holdRows = holdOut.Select(i => train[i]).ToArray();
            var holdBad = holdRows.Select(r => r.IsBad).ToArray();
            var seedPick = SelectionRule.Select(grid.Select((c, i) => new CandidateScore(i, c.Name,
                    costs.CostPerApplicant(CostMatrix.Confuse(Training.Predict(training.Fit(c, fitRows), holdRows), holdBad, 0.5)), 0.5))
                .ToArray());

            lock (procedurePd)
            {
                for (var j = 0; j < test.Length; j++)
                {
                    var i = fold.Test[j];
                    double Cost(CandidateScore s) => costs.Cost(isBad[i], CostMatrix.Rejects(testPd[s.Index][j], s.Threshold));
                    procedurePd[fold.Repeat][i] = testPd[chosen.Index][j];
                    procedureCost[fold.Repeat, i] = Cost(chosen);
                    seedCost[fold.Repeat, i] = Cost(seedPick);
                    for (var v = 0; v < variants.Count; v++)
                    {
                        variantCost[variants[v].Name][fold.Repeat, i] = Cost(chosenPerVariant[v]);
                    }

                    foreach (var s in fixedChoices)
                    {
                        fixedCost[s.Name][fold.Repeat, i] = Cost(s);
                    }
                }
            }

            onOuterFold?.Invoke();
        });

        double[] PerApplicant(double[,] c) =>
            Enumerable.Range(0, rows.Count).Select(i => Enumerable.Range(0, repeats).Average(r => c[r, i])).ToArray();

        return new NestedCvResult(
            fingerprint,
            folds,
            repeats,
            InnerFolds,
            innerRepeats,
            CostEstimate.FromPerApplicant(PerApplicant(procedureCost)),
            // AUC of the procedure's out-of-fold PDs, averaged over repeats (each repeat scores every row once).
            procedurePd.Average(pd => Metrics.Auc(pd, isBad)),
            CostEstimate.FromPerApplicant(PerApplicant(seedCost)),
            CostEstimate.FromPerApplicant(isBad.Select(b => costs.Cost(b, rejected: true)).ToArray()),
            CostEstimate.FromPerApplicant(isBad.Select(b => costs.Cost(b, rejected: false)).ToArray()),
            picks.GroupBy(p => p).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            thresholds,
            variants.ToDictionary(v => v.Name, v => CostEstimate.FromPerApplicant(PerApplicant(variantCost[v.Name]))),
            grid.ToDictionary(c => c.Name, c => CostEstimate.FromPerApplicant(PerApplicant(fixedCost[c.Name]))),
            Math.Round(clock.Elapsed.TotalSeconds, 1));
    }

    /// <summary>A way to pick candidate and threshold from inner out-of-fold PDs.</summary>
    private sealed record Variant(string Name, Func<float[][][], bool[], CostMatrix, CandidateScore> Choose);

    private static List<Variant> Variants(IReadOnlyList<Candidate> grid, double smoothingShare)
    {
        CandidateScore Pick(float[][][] innerPd, bool[] isBad, CostMatrix costs, double share, Func<Candidate, bool> pool) =>
            SelectionRule.Select(grid.Select((c, i) => (c, i)).Where(x => pool(x.c))
                .Select(x => CandidateResult.Evaluate(x.i, x.c, innerPd[x.i], isBad, costs, share).Score).ToArray());

        CandidateScore AtBayes(float[][][] innerPd, bool[] isBad, CostMatrix costs) =>
            SelectionRule.Select(grid.Select((c, i) =>
            {
                var pd = innerPd[i].SelectMany(r => r).ToArray();
                var bad = innerPd[i].SelectMany(_ => isBad).ToArray();
                return new CandidateScore(i, c.Name, costs.CostPerApplicant(CostMatrix.Confuse(pd, bad, costs.BayesThreshold)), costs.BayesThreshold);
            }).ToArray());

        var all = new List<Variant> { new($"as configured (smoothing {smoothingShare:R})", (p, b, c) => Pick(p, b, c, smoothingShare, _ => true)) };
        foreach (var share in new[] { 0, 0.01, 0.05 })
        {
            all.Add(new($"all candidates, threshold smoothing {share:R}", (p, b, c) => Pick(p, b, c, share, _ => true)));
        }

        all.Add(new("all candidates, Bayes threshold 1/6", AtBayes));
        foreach (var kind in grid.Select(c => c.Kind).Distinct())
        {
            all.Add(new($"{kind} candidates only", (p, b, c) => Pick(p, b, c, smoothingShare, x => x.Kind == kind)));
        }

        return all;
    }
}
