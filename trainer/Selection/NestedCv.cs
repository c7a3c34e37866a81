using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;

namespace CreditRisk.Trainer.Selection;

/// <summary>
/// Results of the nested cross-validation, cached in <c>nested-cv.json</c> so the default run can report them.
/// <see cref="Fingerprint"/> ties them to the data, seed, grid and exclusions they were computed for.
/// </summary>
public sealed record NestedCvResult(
    string Fingerprint,
    int OuterSeed,
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
    IReadOnlyDictionary<string, CostEstimate> DifferenceFromProcedure,
    ComplianceCost? Compliance,
    IReadOnlyList<float> ProcedurePd,
    IReadOnlyList<float> RecalibratedPd,
    double WallSeconds)
{
    /// <summary>The estimate in money (docs/economics.md), for a spec with loan-level economics; null otherwise.</summary>
    public MoneyEstimate? Money { get; init; }

    /// <summary>In how many outer folds the registered recalibration rule fired inside (the procedure; the money procedure).</summary>
    public int RecalibratedFolds { get; init; }

    public int? MoneyRecalibratedFolds { get; init; }

    /// <summary>On an out-of-time estimate: its two windows (its figures are over the test window's rows only).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public OutOfTimeWindows? Windows { get; init; }

    /// <summary>On the in-time estimate of a spec with a date column: the out-of-time estimate beside it (the card's headline).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public NestedCvResult? OutOfTime { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string FingerprintOf(TrainerOptions options, DatasetSpec spec, string dataSha256, IReadOnlyList<Candidate> grid) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("|",
            [NestedCv.ProcedureId + (spec.Costs.Loan is null ? "" : "+" + NestedCv.MoneyProcedureId + JsonSerializer.Serialize(spec.Costs, DatasetSpec.Json))
                + (spec.Date is { } date ? "+" + OutOfTimeSplit.ProcedureId + ":" + date.Name : ""),
             NestedCv.OuterSeedOffsetFor(spec).ToString(System.Globalization.CultureInfo.InvariantCulture), dataSha256, options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), options.Smoothing.ToString("R", System.Globalization.CultureInfo.InvariantCulture), options.Repeats.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(",", spec.Inputs.Select(f => f.Name)), .. grid.Select(c => c.Name)]))))[..16];

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
/// What leaving the protected attributes out costs: the same procedure with them as model inputs, on the same outer and
/// inner folds. <see cref="Difference"/> is compliant minus with-protected, per applicant (paired).
/// </summary>
public sealed record ComplianceCost(IReadOnlyList<string> Attributes, CostEstimate WithProtected, double WithProtectedAuc, CostEstimate Difference, double AucDifference);

/// <summary>
/// Nested cross-validation of the whole procedure: in every outer training set, the inner stratified K-fold picks
/// the ensemble's members and its threshold exactly as the default run does on all data (same folds × repeats, same
/// rules); the outer test fold, never seen by that choice, is then scored. The seed's recipe (one 80/20 split, best
/// cost at threshold 0.5) and the variants of the sensitivity table run on the same outer folds.
/// </summary>
public static class NestedCv
{
    /// <summary>Names the selection procedure in the fingerprint, so results of an earlier procedure are not reused.
    /// v3 (issue 31): recalibration decided on the selection CV's out-of-fold PDs, resampling fixed from n.</summary>
    public const string ProcedureId = "family-mean-v3";

    /// <summary>
    /// Outer folds use seed + this: the fresh folds of issue 31's registered procedure (docs/preregistration.md), with
    /// or without loan-level economics. Spent: seed + 7919 (development of the family ensemble), seed + 104729 (its
    /// confirmatory run), seed + 15485863 (the compliant procedure), seed + 32452843 (the money procedure).
    /// </summary>
    public const int OuterSeedOffset = 49979687;

    /// <summary>Names the money procedure in the fingerprint.</summary>
    public const string MoneyProcedureId = "money-v2";

    public static int OuterSeedOffsetFor(DatasetSpec spec) => OuterSeedOffset;

    /// <summary>The name of the pre-registered recalibrated variant (Platt on the ensemble's inner out-of-fold PDs).</summary>
    public const string RecalibratedVariant = "family ensemble + Platt recalibration";

    public static NestedCvResult Run(
        IReadOnlyList<CreditRecord> rows,
        IReadOnlyList<Candidate> grid,
        Training training,
        Resampling resampling,
        double smoothingShare,
        string fingerprint,
        Action? onInnerFit = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var spec = training.Spec;
        var isBad = rows.Select(r => r.IsBad).ToArray();
        var outerSeed = training.Seed + OuterSeedOffsetFor(spec);
        var outer = CrossValidation.StratifiedFolds(isBad, resampling.OuterFolds, resampling.OuterRepeats, outerSeed);
        var setup = Setup.For(rows, grid, training, resampling, smoothingShare, onInnerFit);

        // Each outer fold is independent: as many at a time as there are cores (the inner CV then runs its folds one
        // after the other), each result in its own slot, then one aggregation in fold order.
        var results = new OuterFoldResult[outer.Count];
        Parallel.For(0, outer.Count, new ParallelOptions { MaxDegreeOfParallelism = Training.Cores }, o =>
        {
            results[o] = OuterFold(setup, outer[o], o);
        });

        var frame = setup.Frame(fingerprint, outerSeed, resampling.OuterFolds, resampling.OuterRepeats, isBad, setup.Money.LoanLevel ? setup.Money : null);
        return NestedCvAggregation.Aggregate(frame, results) with { WallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1) };
    }

    /// <summary>
    /// The out-of-time estimate (docs/preregistration.md, <c>out-of-time-v1</c>): the whole procedure on the split's
    /// earlier rows, as in one outer fold (inner seed = the seed), scored once on its test window; every figure is over
    /// the test window's applicants only, with the same interval as the nested CV's (<see cref="CostEstimate"/>).
    /// </summary>
    public static NestedCvResult OutOfTime(
        IReadOnlyList<CreditRecord> rows,
        IReadOnlyList<Candidate> grid,
        Training training,
        Resampling resampling,
        double smoothingShare,
        string fingerprint,
        OutOfTimeSplit split,
        Action? onInnerFit = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var setup = Setup.For(rows, grid, training, resampling, smoothingShare, onInnerFit);
        var result = OuterFold(setup, new Fold(0, 0, split.Train, split.Test), 0);

        // The aggregation places figures by row and wants every row once: the test window's rows, numbered 0..m−1.
        var test = split.Test;
        var frame = setup.Frame(fingerprint, training.Seed, outerFolds: 1, outerRepeats: 1, [.. test.Select(i => rows[i].IsBad)], setup.Money.LoanLevel ? setup.Money.Subset(test) : null);
        var renumbered = result with { Fold = new Fold(0, 0, [], [.. Enumerable.Range(0, test.Length)]) };
        return NestedCvAggregation.Aggregate(frame, [renumbered]) with { WallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1), Windows = split.Windows };
    }

    /// <summary>
    /// What one outer fold's training set chooses and what that choice costs (and makes, with loan-level economics) on
    /// its test rows, in the order of <see cref="Fold.Test"/>: the procedure and its variants, every candidate alone, the
    /// seed's recipe, the money procedure and, when the spec has protected attributes, the procedure with them as
    /// inputs. Reads only <paramref name="setup"/>; <paramref name="o"/> (the fold's position) seeds its inner folds.
    /// </summary>
    private static OuterFoldResult OuterFold(Setup setup, Fold fold, int o)
    {
        var (rows, grid, training, costs, money) = (setup.Rows, setup.Grid, setup.Training, setup.Costs, setup.Money);
        var variants = setup.Variants;
        var train = fold.Train.Select(i => rows[i]).ToArray();
        var test = fold.Test.Select(i => rows[i]).ToArray();
        var trainBad = train.Select(r => r.IsBad).ToArray();

        // Inner CV on the outer training set gives every candidate's out-of-fold PDs; each candidate is also
        // refit on the whole outer training set and scores the outer test fold.
        var inner = CrossValidation.StratifiedFolds(trainBad, setup.InnerFolds, setup.InnerRepeats, training.Seed + o);
        float[] Tick(float[] pd)
        {
            setup.OnInnerFit?.Invoke();
            return pd;
        }

        InnerResult Inner(Training t, out float[][] testPd)
        {
            var innerPd = grid.Select(c => t.OutOfFold(c, train, inner, setup.OnInnerFit)).ToArray();
            testPd = grid.Select(c => Tick(Training.Predict(t.Fit(c, train), t.Spec, test))).ToArray();
            var scores = grid.Select((c, i) => CandidateResult.Evaluate(i, c, innerPd[i], trainBad, costs, setup.SmoothingShare).Score).ToArray();
            return new InnerResult(innerPd, trainBad, scores, costs);
        }

        var innerResult = Inner(training, out var testPd);
        var choices = variants.Select(v => v.Choose(innerResult)).ToArray();
        var fixedChoices = innerResult.Scores.Select(s => new Choice([s.Index], s.Threshold)).ToArray();
        static float[] TestPd(Choice c, float[][] testPd) => c.Recalibration.Apply(FittedModel.Mean(c.Members.Select(m => testPd[m]).ToArray()));
        double[] Costs(float[] pd, double threshold) => [.. test.Select((r, j) => costs.Cost(r.IsBad, Decisions.Rejects(pd[j], threshold)))];

        // The seed's recipe: one 80/20 split of the outer training set, lowest cost at threshold 0.5.
        var (fit, holdOut) = CrossValidation.StratifiedSplit(trainBad, 0.8, training.Seed + o);
        var fitRows = fit.Select(i => train[i]).ToArray();
        var holdRows = holdOut.Select(i => train[i]).ToArray();
        var holdBad = holdRows.Select(r => r.IsBad).ToArray();
        var seedPick = SelectionRule.Select(grid.Select((c, i) => new CandidateScore(i, c.Name,
                costs.CostPerApplicant(CostMatrix.Confuse(Tick(Training.Predict(training.Fit(c, fitRows), training.Spec, holdRows)), holdBad, 0.5)), 0.5))
            .ToArray());

        var variantPd = choices.Select(c => TestPd(c, testPd)).ToArray();
        var fixedPd = fixedChoices.Select(c => TestPd(c, testPd)).ToArray();
        var recalibrated = variants.FindIndex(v => v.Name.StartsWith(RecalibratedVariant, StringComparison.Ordinal));

        // The money procedure (issue 28): family winners by total inner out-of-fold money under the per-loan rule,
        // their mean PD, the per-loan rule on the test fold; and its Platt-recalibrated variant. Today's rule is the
        // procedure's PD at its constant threshold, counted in money.
        FoldMoney? foldMoney = null;
        if (money.LoanLevel)
        {
            var trainMoney = money.Subset(fold.Train);
            var moneyScores = innerResult.OutOfFold.Select((pd, c) => new CandidateScore(c, grid[c].Name, -MoneyPerApplicant(pd, trainBad, trainMoney), double.NaN)).ToArray();
            int[] members = [.. SelectionRule.PerFamily(moneyScores, sc => grid[sc.Index].Kind).Select(sc => sc.Index)];
            var plainPd = FittedModel.Mean(members.Select(m => testPd[m]).ToArray());
            var modelRecalibratedPd = innerResult.Recalibration(members).Apply(plainPd);
            // The model: recalibrated when the registered rule fires on this fold's inner out-of-fold PDs (issue 31).
            var decided = innerResult.Decide(members);
            var modelPd = decided is null ? plainPd : modelRecalibratedPd;
            double[] Profits(float[] pd, Func<int, double> threshold) =>
                [.. fold.Test.Select((i, j) => money.Profit(i, test[j].IsBad, Decisions.Rejects(pd[j], threshold(i))))];
            foldMoney = new FoldMoney(
                [.. members.Select(m => grid[m].Name)],
                modelPd,
                modelRecalibratedPd,
                Profits(modelPd, i => money.Threshold(i, choices[0].Threshold)),
                Profits(modelRecalibratedPd, i => money.Threshold(i, choices[0].Threshold)),
                Profits(variantPd[0], _ => choices[0].Threshold))
            { WasRecalibrated = decided is not null };
        }

        // The same procedure (the first variant) with the protected attributes as inputs.
        float[]? withProtectedPd = null;
        double[]? withProtectedCost = null;
        if (setup.Unconstrained is { } unconstrained)
        {
            var innerWith = Inner(unconstrained, out var testPdWith);
            var choice = variants[0].Choose(innerWith);
            withProtectedPd = TestPd(choice, testPdWith);
            withProtectedCost = Costs(withProtectedPd, choice.Threshold);
        }

        return new OuterFoldResult(
            fold,
            [.. choices[0].Members.Select(m => grid[m].Name)],
            choices[0].Threshold,
            variantPd[0],
            variantPd[recalibrated],
            Costs(testPd[seedPick.Index], seedPick.Threshold),
            [.. variants.Select((_, v) => Costs(variantPd[v], choices[v].Threshold))],
            [.. grid.Select((_, c) => Costs(fixedPd[c], fixedChoices[c].Threshold))],
            withProtectedPd,
            withProtectedCost)
        { Money = foldMoney, Recalibrated = choices[0].Recalibration != Platt.Identity };
    }

    /// <summary>Money per applicant of out-of-fold PDs (every repeat pooled) under the per-loan rule: what the money
    /// procedure selects by (docs/preregistration.md, issue 28).</summary>
    public static double MoneyPerApplicant(float[][] outOfFold, IReadOnlyList<bool> isBad, Money money) =>
        outOfFold.Average(pd => money.ProfitOfRule(pd, isBad, 0.5).Average());

    /// <summary>The fits of a run, one progress step each: per outer fold, every candidate's inner fits and its refit on the
    /// outer training set (twice when the spec has protected attributes: the procedure with them as inputs), and the
    /// seed recipe's fit of every candidate. At a million rows the refits are a third of the estimate's time.</summary>
    public static int Fits(DatasetSpec spec, int candidates, Resampling resampling) =>
        resampling.OuterFolds * resampling.OuterRepeats * candidates * ((resampling.Folds * resampling.Repeats + 1) * (spec.Protected.Any() ? 2 : 1) + 1);

    /// <summary>What every outer fold reads and none writes: the data, the grid, the procedure's settings and its variants.</summary>
    private sealed record Setup(IReadOnlyList<CreditRecord> Rows, IReadOnlyList<Candidate> Grid, Training Training, CostMatrix Costs, Money Money, List<Variant> Variants, int InnerFolds, int InnerRepeats, double SmoothingShare)
    {
        /// <summary>Told after every inner fit (progress).</summary>
        public Action? OnInnerFit { get; init; }

        /// <summary>The setup of a nested or out-of-time run: the inner CV's folds × repeats are the registered ones for the book.</summary>
        public static Setup For(IReadOnlyList<CreditRecord> rows, IReadOnlyList<Candidate> grid, Training training, Resampling resampling, double smoothingShare, Action? onInnerFit) =>
            new(rows, grid, training, CostMatrix.Of(training.Spec), Money.Of(training.Spec, rows), NestedCv.Variants(grid, smoothingShare), resampling.Folds, resampling.Repeats, smoothingShare) { OnInnerFit = onInnerFit };

        /// <summary>What the aggregation reads of this run, for the rows whose outcomes are <paramref name="isBad"/>.</summary>
        public NestedCvFrame Frame(string fingerprint, int outerSeed, int outerFolds, int outerRepeats, bool[] isBad, Money? money) =>
            new(fingerprint, outerSeed, outerFolds, outerRepeats, InnerFolds, InnerRepeats, [.. Variants.Select(v => v.Name)], [.. Grid.Select(c => c.Name)],
                ProtectedNames, isBad, Costs, money, Training.Spec.Costs.Loan?.Currency ?? "");

        /// <summary>The cost of compliance: the same procedure with the protected attributes as inputs, on the same folds.</summary>
        public string[] ProtectedNames { get; } = [.. Training.Spec.Protected.Select(f => f.Name)];

        /// <summary>The procedure's training with the protected attributes as inputs; null when the spec has none.</summary>
        public Training? Unconstrained { get; } = Training.Spec.Protected.Any() ? new Training(WithProtectedAsInputs(Training.Spec), Training.Seed) : null;
    }

    /// <summary>The spec as the previous procedure saw it: protected attributes as model inputs (for the comparison only).</summary>
    private static DatasetSpec WithProtectedAsInputs(DatasetSpec spec) => spec with
    {
        Features = [.. spec.Features.Select(f => f.Role == FeatureRole.Protected ? f with { Role = FeatureRole.Feature } : f)],
    };

    /// <summary>What the inner CV of one outer training set knows: every candidate's out-of-fold PDs and score.</summary>
    private sealed record InnerResult(float[][][] OutOfFold, bool[] IsBad, CandidateScore[] Scores, CostMatrix Costs)
    {
        /// <summary>The smoothed cost-minimising threshold of the members' mean out-of-fold PD (recalibrated first, if asked).</summary>
        public double Threshold(int[] members, double smoothingShare, Platt? recalibration = null)
        {
            var (pd, bad) = Pooled(members);
            return CandidateResult.Search(recalibration?.Apply(pd) ?? pd, bad, Costs, smoothingShare).Best.Threshold;
        }

        /// <summary>The registered decision on the members' mean inner out-of-fold PDs: Platt when it fires, else null.</summary>
        public Platt? Decide(int[] members) => RecalibrationRule.Decide(FittedModel.Mean(members.Select(m => OutOfFold[m]).ToArray()), IsBad);

        /// <summary>Platt recalibration fitted on the members' pooled mean out-of-fold PDs: inside the CV, never on the test fold.</summary>
        public Platt Recalibration(int[] members)
        {
            var (pd, bad) = Pooled(members);
            return Platt.Fit(pd, bad);
        }

        private (float[] Pd, bool[] IsBad) Pooled(int[] members) => CandidateResult.Pool(FittedModel.Mean(members.Select(m => OutOfFold[m]).ToArray()), IsBad);
    }

    /// <summary>Members whose PDs are averaged (one for a single model), the recalibration of the mean (identity unless
    /// the variant recalibrates) and the threshold applied to the result.</summary>
    private sealed record Choice(int[] Members, double Threshold)
    {
        public Platt Recalibration { get; init; } = Platt.Identity;
    }

    /// <summary>A way to choose members and threshold from the inner CV.</summary>
    private sealed record Variant(string Name, Func<InnerResult, Choice> Choose);

    private static List<Variant> Variants(IReadOnlyList<Candidate> grid, double smoothingShare)
    {
        int[] Families(InnerResult r) => [.. SelectionRule.PerFamily(r.Scores, s => grid[s.Index].Kind).Select(s => s.Index)];
        Choice Ensemble(InnerResult r, int[] members, double share) => new(members, r.Threshold(members, share));
        Choice Recalibrated(InnerResult r, int[] members, double share)
        {
            var platt = r.Recalibration(members);
            return new Choice(members, r.Threshold(members, share, platt)) { Recalibration = platt };
        }

        Choice Single(InnerResult r, Func<Candidate, bool> pool)
        {
            var best = SelectionRule.Select(r.Scores.Where(s => pool(grid[s.Index])).ToArray());
            return new Choice([best.Index], best.Threshold);
        }

        // The procedure (issue 31): Platt only when the registered rule fires on this training set's inner out-of-fold PDs.
        Choice Procedure(InnerResult r, int[] members, double share) =>
            r.Decide(members) is null ? Ensemble(r, members, share) : Recalibrated(r, members, share);

        var all = new List<Variant>
        {
            new($"family ensemble, threshold smoothing {smoothingShare:R}, Platt when the rule fires inside (the procedure)", r => Procedure(r, Families(r), smoothingShare)),
            new($"family ensemble, threshold smoothing {smoothingShare:R}, never recalibrated", r => Ensemble(r, Families(r), smoothingShare)),
            new("family ensemble, threshold smoothing 0", r => Ensemble(r, Families(r), 0)),
            new("family ensemble, Bayes threshold 1/6", r => new Choice(Families(r), r.Costs.BayesThreshold)),
            new($"{RecalibratedVariant}, threshold smoothing {smoothingShare:R}", r => Recalibrated(r, Families(r), smoothingShare)),
            new($"{RecalibratedVariant}, Bayes threshold 1/6", r => new Choice(Families(r), r.Costs.BayesThreshold) { Recalibration = r.Recalibration(Families(r)) }),
            new($"mean of all {grid.Count} candidates, threshold smoothing {smoothingShare:R}", r => Ensemble(r, [.. Enumerable.Range(0, grid.Count)], smoothingShare)),
            new("first procedure: the single best candidate", r => Single(r, _ => true)),
            new("single best candidate, Bayes threshold 1/6", r => Single(r, _ => true) with { Threshold = r.Costs.BayesThreshold }),
        };
        foreach (var kind in grid.Select(c => c.Kind).Distinct())
        {
            all.Add(new($"single best {kind} candidate", r => Single(r, c => c.Kind == kind)));
        }

        return all;
    }
}
