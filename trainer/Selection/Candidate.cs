using System.Globalization;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace CreditRisk.Trainer.Selection;

/// <summary>The learner families of the grid; every one of them must export to ONNX (a test proves it). An
/// <see cref="Ensemble"/> is not a family: it averages the PDs of one fitted candidate per family.</summary>
public enum LearnerKind
{
    LightGbm,
    FastTree,
    FastForest,
    LogisticRegression,
    Ensemble,
}

/// <summary>
/// One candidate: a learner with fixed hyper-parameters. <see cref="BuildPipeline"/> gives the whole pipeline —
/// one-hot categoricals, concatenate, (normalise), learner, calibrator — so <c>Probability</c> is a calibrated PD.
/// An ensemble (<see cref="MeanOf"/>) has no pipeline of its own: its PD is the mean of its <see cref="Members"/>' PDs.
/// </summary>
public sealed record Candidate(LearnerKind Kind, IReadOnlyDictionary<string, double> Hyperparameters)
{
    private const string Features = "Features";

    /// <summary>The averaged candidates of an ensemble; empty for a single learner.</summary>
    public IReadOnlyList<Candidate> Members { get; private init; } = [];

    /// <summary>Platt recalibration of the ensemble's mean PD, when the pre-registered calibration rule added it (fitted
    /// on out-of-fold PDs, so it is not part of the learners' fit); null = none.</summary>
    public Platt? Recalibration { get; init; }

    public static Candidate MeanOf(IReadOnlyList<Candidate> members)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(members.Count, 1);
        if (members.Any(m => m.Kind == LearnerKind.Ensemble))
        {
            throw new ArgumentException("Ensembles do not nest.", nameof(members));
        }

        return new Candidate(LearnerKind.Ensemble, new Dictionary<string, double>()) { Members = members };
    }

    public string Name => Kind == LearnerKind.Ensemble
        ? $"Ensemble(mean PD of {string.Join("; ", Members.Select(m => m.Name))}){(Recalibration is null ? "" : " + Platt recalibration")}"
        : $"{Kind}({string.Join(", ", Hyperparameters.Select(h => $"{h.Key}={Format(h.Value)}"))})";

    /// <summary>Hyper-parameters as strings, as written into the model card; an ensemble lists its members.</summary>
    public IReadOnlyDictionary<string, string> HyperparameterStrings => Kind == LearnerKind.Ensemble
        ? new Dictionary<string, string> { ["combination"] = "mean PD" }
            .Concat(Members.Select((m, i) => KeyValuePair.Create($"member{i + 1}", m.Name)))
            .Concat(Recalibration is { } p ? [KeyValuePair.Create("recalibration", p.Formula)] : [])
            .ToDictionary()
        : Hyperparameters.ToDictionary(h => h.Key, h => Format(h.Value));

    private int Int(string key) => (int)Hyperparameters[key];

    private double Real(string key) => Hyperparameters[key];

    /// <summary>
    /// The pipeline over the spec's inputs: categories one-hot (a missing one, fed as "", encodes as all zeros: a
    /// level of its own); numbers that may be missing get the training mean inside the graph (and a 0/1 indicator
    /// when the spec asks), so the ONNX file takes raw fields, NaN included. Column order: one-hot blocks, then
    /// numbers, each in spec order (the order German Credit's model was trained with).
    /// </summary>
    public IEstimator<ITransformer> BuildPipeline(MLContext ml, DatasetSpec spec)
    {
        var categorical = spec.Inputs.Where(f => f.IsCategory).Select(f => f.Name).ToArray();
        var oneHot = categorical.Select(c => new InputOutputColumnPair(c + ".onehot", c)).ToArray();
        // A data set may have no categories at all: the one-hot step is then left out (it refuses zero columns).
        IEstimator<ITransformer> pipeline = oneHot.Length > 0
            ? ml.Transforms.Categorical.OneHotEncoding(oneHot)
            : new EstimatorChain<ITransformer>();
        var numeric = new List<string>();
        var indicators = new List<string>();
        foreach (var f in spec.Inputs.Where(f => f.IsNumber))
        {
            if (!f.MayBeMissing)
            {
                numeric.Add(f.Name);
                continue;
            }

            if (f.Missing == MissingPolicy.ImputeWithIndicator)
            {
                pipeline = pipeline
                    .Append(ml.Transforms.IndicateMissingValues(f.Name + ".isMissing", f.Name))
                    .Append(ml.Transforms.Conversion.ConvertType(f.Name + ".missing", f.Name + ".isMissing", Microsoft.ML.Data.DataKind.Single));
                indicators.Add(f.Name + ".missing");
            }

            pipeline = pipeline.Append(ml.Transforms.ReplaceMissingValues(f.Name + ".imputed", f.Name, Microsoft.ML.Transforms.MissingValueReplacingEstimator.ReplacementMode.Mean));
            numeric.Add(f.Name + ".imputed");
        }

        pipeline = pipeline.Append(ml.Transforms.Concatenate(Features, [.. oneHot.Select(p => p.OutputColumnName), .. numeric, .. indicators]));

        const string Label = CreditDataView.LabelColumn;
        return Kind switch
        {
            LearnerKind.LightGbm => pipeline.Append(ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = Label,
                FeatureColumnName = Features,
                NumberOfLeaves = Int("leaves"),
                LearningRate = Real("learningRate"),
                NumberOfIterations = Int("iterations"),
                MinimumExampleCountPerLeaf = Int("minRowsPerLeaf"),
                // Left unset, ML.NET switches LightGBM to categorical splits on the one-hot blocks above 50,000 training
                // rows: a different learner past a size nobody chose (and nodes TreeSplits once indexed as numbers).
                // Off, the learner is the one the grid registered at any size; below 50,000 rows nothing changes.
                UseCategoricalSplit = false,
                NumberOfThreads = 1,
                Seed = 1,
                Verbose = false,
                Silent = true,
            })),
            LearnerKind.FastTree => pipeline.Append(ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                LabelColumnName = Label,
                FeatureColumnName = Features,
                NumberOfLeaves = Int("leaves"),
                LearningRate = Real("learningRate"),
                NumberOfTrees = Int("trees"),
                MinimumExampleCountPerLeaf = Int("minRowsPerLeaf"),
                NumberOfThreads = 1,
            })),
            LearnerKind.FastForest => pipeline
                .Append(ml.BinaryClassification.Trainers.FastForest(new FastForestBinaryTrainer.Options
                {
                    LabelColumnName = Label,
                    FeatureColumnName = Features,
                    NumberOfLeaves = Int("leaves"),
                    NumberOfTrees = Int("trees"),
                    MinimumExampleCountPerLeaf = Int("minRowsPerLeaf"),
                    NumberOfThreads = 1,
                }))
                .Append(ml.BinaryClassification.Calibrators.Platt(labelColumnName: Label)),
            LearnerKind.LogisticRegression => pipeline
                .Append(ml.Transforms.NormalizeMinMax(Features))
                .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
                {
                    LabelColumnName = Label,
                    FeatureColumnName = Features,
                    L1Regularization = (float)Real("l1"),
                    L2Regularization = (float)Real("l2"),
                    NumberOfThreads = 1,
                })),
            LearnerKind.Ensemble => throw new InvalidOperationException("An ensemble has no single pipeline: fit its members (Training.FitModel)."),
            _ => throw new InvalidOperationException($"Unknown learner {Kind}."),
        };
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// The grid: small on purpose (2-core budget). LightGBM varies leaves, learning rate, iterations and rows per
    /// leaf; the others get a couple of sensible settings each. <paramref name="quick"/> keeps one per family.
    /// </summary>
    public static IReadOnlyList<Candidate> Grid(bool quick)
    {
        var lr = new[] { L(LearnerKind.LogisticRegression, ("l1", 0), ("l2", 1)), L(LearnerKind.LogisticRegression, ("l1", 0.5), ("l2", 5)) };
        var lgbm = new[]
        {
            L(LearnerKind.LightGbm, ("leaves", 4), ("learningRate", 0.05), ("iterations", 100), ("minRowsPerLeaf", 20)),
            L(LearnerKind.LightGbm, ("leaves", 4), ("learningRate", 0.05), ("iterations", 200), ("minRowsPerLeaf", 20)),
            L(LearnerKind.LightGbm, ("leaves", 8), ("learningRate", 0.05), ("iterations", 100), ("minRowsPerLeaf", 20)),
            L(LearnerKind.LightGbm, ("leaves", 8), ("learningRate", 0.1), ("iterations", 100), ("minRowsPerLeaf", 10)),
            L(LearnerKind.LightGbm, ("leaves", 16), ("learningRate", 0.03), ("iterations", 150), ("minRowsPerLeaf", 30)),
        };
        var fastTree = new[] { L(LearnerKind.FastTree, ("leaves", 8), ("learningRate", 0.1), ("trees", 100), ("minRowsPerLeaf", 20)) };
        var forest = new[] { L(LearnerKind.FastForest, ("leaves", 16), ("trees", 200), ("minRowsPerLeaf", 10)) };
        return quick ? [lr[0], lgbm[0], fastTree[0], forest[0]] : [.. lr, .. lgbm, .. fastTree, .. forest];
    }

    /// <summary>The simplest candidate of each family: what the parity tests train and export.</summary>
    public static IReadOnlyList<Candidate> OnePerFamily() => Grid(quick: true);

    private static Candidate L(LearnerKind kind, params (string Key, double Value)[] hp) =>
        new(kind, hp.ToDictionary(h => h.Key, h => h.Value));
}
