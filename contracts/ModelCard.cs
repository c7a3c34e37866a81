namespace CreditRisk.Contracts;

/// <summary>
/// What the trainer knows about a model, written into the ONNX file's <c>metadata_props</c> (as JSON under
/// <see cref="ModelMetadataKeys.ModelCard"/>) and into the sidecar <c>artifacts/model.json</c>. The server reads it
/// back at load; nothing here is a wall-clock time, so the same seed gives the same bytes.
/// </summary>
public sealed record ModelCard
{
    public required string SchemaVersion { get; init; }
    public required string Learner { get; init; }
    public required IReadOnlyDictionary<string, string> Hyperparameters { get; init; }
    public required double Threshold { get; init; }
    public double CostFalseNegative { get; init; } = CostWeights.FalseNegative;
    public double CostFalsePositive { get; init; } = CostWeights.FalsePositive;
    public required CrossValidatedCost NestedCv { get; init; }
    public required int TrainingRows { get; init; }
    public required string TrainingDataSha256 { get; init; }
    public required int Seed { get; init; }

    /// <summary>Attributes left out of training (see <see cref="FeatureSchema.Protected"/>); the model still takes them as inputs.</summary>
    public IReadOnlyList<string> ExcludedFeatures { get; init; } = [];

    /// <summary>Per attribute, its most favourable value in training: the baseline reason codes are measured against.</summary>
    public required Applicant ReferenceApplicant { get; init; }

    /// <summary>The git commit the trainer ran from, when it ran in a git checkout.</summary>
    public string? TrainingCommit { get; init; }

    /// <summary>
    /// When the training code and data were fixed: the date of <see cref="TrainingCommit"/> (ISO 8601). A commit's date,
    /// not the clock, so retraining the same commit with the same seed still gives a byte-identical file.
    /// </summary>
    public string? TrainingCommitDate { get; init; }
}

/// <summary>Cost per applicant of the whole procedure (model and threshold selection) from nested cross-validation.</summary>
public sealed record CrossValidatedCost(
    double CostPerApplicant,
    double Ci95Low,
    double Ci95High,
    double Auc,
    int OuterFolds,
    int Repeats);

/// <summary>Keys of the ONNX <c>metadata_props</c>; flat ones for tools that read a single value.</summary>
public static class ModelMetadataKeys
{
    public const string ModelCard = "creditrisk.model_card";
    public const string Threshold = "creditrisk.decision_threshold";
    public const string CostFalseNegative = "creditrisk.cost_fn";
    public const string CostFalsePositive = "creditrisk.cost_fp";
    public const string SchemaVersion = "creditrisk.schema_version";

    /// <summary>The ONNX output carrying P(bad) as float [N,1] (after ML.NET's calibrator); verified by the trainer at export.</summary>
    public const string ProbabilityOutput = "Probability.output";
}

/// <summary>GET /api/v1/model: the loaded model as a client sees it.</summary>
public sealed record ModelInfo(
    string Version,
    string Learner,
    double Threshold,
    double CostFalseNegative,
    double CostFalsePositive,
    CrossValidatedCost NestedCv,
    IReadOnlyDictionary<string, string> Hyperparameters,
    int TrainingRows,
    string TrainingDataSha256,
    IReadOnlyList<string> ExcludedFeatures,
    string SchemaVersion,
    IReadOnlyList<FeatureInfo> Features,
    string? TrainingCommit,
    string? TrainingCommitDate);

public sealed record FeatureInfo(string Name, string Kind, string Description, string Group, int? Min, int? Max, IReadOnlyList<SchemaValue>? Values);
