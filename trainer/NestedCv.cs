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
    CostEstimate Procedure,
    double ProcedureAuc,
    CostEstimate SeedRecipe,
    CostEstimate RejectAll,
    CostEstimate AcceptAll,
    IReadOnlyDictionary<string, int> Picks,
    IReadOnlyList<double> Thresholds,
    double WallSeconds)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string FingerprintOf(TrainerOptions options, string dataSha256, IReadOnlyList<Candidate> grid) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("|",
            [dataSha256, options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), options.Smoothing.ToString("R", System.Globalization.CultureInfo.InvariantCulture), string.Join(",", options.Excluded), .. grid.Select(c => c.Name)]))))[..16];

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
/// the candidate and its threshold exactly as the default run does on all data; the outer test fold, never seen by
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

        Parallel.For(0, outer.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, o =>
        {
            var fold = outer[o];
            var train = fold.Train.Select(i => rows[i]).ToArray();
            var test = fold.Test.Select(i => rows[i]).ToArray();
            var trainBad = train.Select(r => r.IsBad).ToArray();

            // The procedure: inner CV → select candidate and threshold → refit on the outer training set.
            var inner = CrossValidation.StratifiedFolds(trainBad, InnerFolds, 1, training.Seed + o);
            var scores = grid.Select((c, i) =>
                CandidateResult.Evaluate(i, c, training.OutOfFold(c, train, inner), trainBad, costs, smoothingShare).Score).ToArray();
            var chosen = SelectionRule.Select(scores);
            var pd = Training.Predict(training.Fit(grid[chosen.Index], train), test);
            picks[o] = chosen.Name;
            thresholds[o] = chosen.Threshold;

            // The seed's recipe: one 80/20 split of the outer training set, lowest cost at threshold 0.5.
            var (fit, holdOut) = CrossValidation.StratifiedSplit(trainBad, 0.8, training.Seed + o);
            var fitRows = fit.Select(i => train[i]).ToArray();
            var holdRows = holdOut.Select(i => train[i]).ToArray();
            var holdBad = holdRows.Select(r => r.IsBad).ToArray();
            var seedPick = grid.Select((c, i) => new CandidateScore(i, c.Name,
                    costs.CostPerApplicant(CostMatrix.Confuse(Training.Predict(training.Fit(c, fitRows), holdRows), holdBad, 0.5)), 0.5))
                .ToArray();
            var seedPd = Training.Predict(training.Fit(grid[SelectionRule.Select(seedPick).Index], train), test);

            lock (procedurePd)
            {
                for (var j = 0; j < test.Length; j++)
                {
                    var i = fold.Test[j];
                    procedurePd[fold.Repeat][i] = pd[j];
                    procedureCost[fold.Repeat, i] = costs.Cost(isBad[i], CostMatrix.Rejects(pd[j], chosen.Threshold));
                    seedCost[fold.Repeat, i] = costs.Cost(isBad[i], CostMatrix.Rejects(seedPd[j], 0.5));
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
            CostEstimate.FromPerApplicant(PerApplicant(procedureCost)),
            // AUC of the procedure's out-of-fold PDs, averaged over repeats (each repeat scores every row once).
            procedurePd.Average(pd => Metrics.Auc(pd, isBad)),
            CostEstimate.FromPerApplicant(PerApplicant(seedCost)),
            CostEstimate.FromPerApplicant(isBad.Select(b => costs.Cost(b, rejected: true)).ToArray()),
            CostEstimate.FromPerApplicant(isBad.Select(b => costs.Cost(b, rejected: false)).ToArray()),
            picks.GroupBy(p => p).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            thresholds,
            Math.Round(clock.Elapsed.TotalSeconds, 1));
    }
}
