using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditRisk.Contracts;

/// <summary>
/// What the trainer knows about a model, written into the ONNX file's <c>metadata_props</c> (as JSON under
/// <see cref="ModelMetadataKeys.ModelCard"/>) and into the sidecar <c>artifacts/model.json</c>. The server reads it
/// back at load; nothing here is a wall-clock time, so the same seed gives the same bytes.
/// </summary>
public sealed record ModelCard
{
    /// <summary>The card format this code writes and reads; bumped when a field changes meaning. (3: the training commit
    /// moved out of the card into <see cref="Provenance"/>, so it no longer changes the model version.)</summary>
    public const string CurrentVersion = "3";

    public required string CardVersion { get; init; }

    /// <summary>The data set spec the model was trained on: inputs, values, ranges, missing rules, labels, reasons.</summary>
    public required DatasetSpec Dataset { get; init; }

    public required string Learner { get; init; }
    public required IReadOnlyDictionary<string, string> Hyperparameters { get; init; }

    /// <summary>
    /// The learner in a reader's words: the trainer names every mean-PD combination "Ensemble", even one of a single
    /// member (German Credit's shipped challenger is one logistic regression), so a one-member ensemble is named by its
    /// member and a larger one lists its members' families. A method, not a property: the card's JSON stays as exported.
    /// </summary>
    public string DescribeLearner()
    {
        var members = Hyperparameters.Where(p => p.Key.StartsWith("member", StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToArray();
        return Learner != "Ensemble" || members.Length == 0 ? Learner
            : members.Length == 1 ? members[0]
            : $"Ensemble (mean PD of {string.Join(", ", members.Select(m => m.Split('(')[0]))})";
    }
    public required double Threshold { get; init; }
    public double CostFalseNegative { get; init; } = CostWeights.FalseNegative;
    public double CostFalsePositive { get; init; } = CostWeights.FalsePositive;
    public required CrossValidatedCost NestedCv { get; init; }
    public required int TrainingRows { get; init; }
    public required string TrainingDataSha256 { get; init; }
    public required int Seed { get; init; }

    /// <summary>Attributes of the spec that are not model inputs (protected ones, and any left out by option).</summary>
    public IReadOnlyList<string> ExcludedFeatures { get; init; } = [];

    /// <summary>
    /// Per model input, its most favourable value in training: the baseline reason codes are measured against. JSON
    /// values as in a request: a string for a category, a number for a number.
    /// </summary>
    public required IReadOnlyDictionary<string, JsonElement> ReferenceApplicant { get; init; }

    /// <summary>A typical applicant (the data's first row; every attribute but ids): the example in docs, Swagger UI and the page.</summary>
    public required IReadOnlyDictionary<string, JsonElement> ExampleApplicant { get; init; }

    /// <summary>Per number that may be missing, the value the graph imputes (the training mean).</summary>
    public IReadOnlyDictionary<string, double> ImputedValues { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// The training distribution of every attribute but ids (protected ones too, for the group figures) and of the PD,
    /// with the bad rate per PD band: what monitoring compares production with. Null on a card written before it
    /// existed; the server then reports no drift.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MonitoringBaseline? Monitoring { get; init; }

    /// <summary>
    /// What the graph decides with (docs/economics.md): its decision outputs and the basis of its amounts. The server
    /// checks the graph against it (and against <see cref="Dataset"/>'s <c>costs</c>) at load. Null on a card written
    /// before the graph carried the decision: such a model has only <see cref="ModelMetadataKeys.ProbabilityOutput"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DecisionEconomics? Economics { get; init; }
}

/// <summary>The decision a graph computes: <see cref="Basis"/> <c>loan</c> (amounts from each applicant's fields, in
/// <see cref="Currency"/>) or <c>constant</c> (the card's two cost weights); the output names, in graph order.</summary>
public sealed record DecisionEconomics(string Basis, string? Currency, IReadOnlyList<string> Outputs)
{
    public const string Loan = "loan";
    public const string Constant = "constant";

    public static DecisionEconomics Of(DatasetSpec spec) => spec.Costs.Loan is { } loan
        ? new(Loan, loan.Currency, ModelMetadataKeys.Outputs)
        : new(Constant, null, ModelMetadataKeys.Outputs);
}

/// <summary>Cost per applicant of the whole procedure (model and threshold selection) from nested cross-validation.
/// <see cref="OuterFolds"/> 0 means the model has no estimate (trained with <c>--no-estimate</c>): the figures are then
/// the selection CV's, optimistic because they chose the model, and must not be called nested. With
/// <see cref="OutOfTime"/> set (a spec with a <c>date</c> column, docs/preregistration.md) the figures are the
/// out-of-time estimate (one split by date, <see cref="OuterFolds"/> 1) and <see cref="InTime"/> the nested CV's.</summary>
public sealed record CrossValidatedCost(
    double CostPerApplicant,
    double Ci95Low,
    double Ci95High,
    double Auc,
    int OuterFolds,
    int Repeats)
{
    /// <summary>The windows of an out-of-time estimate; null (absent from the JSON) for a nested-CV or selection-CV figure.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OutOfTimeWindows? OutOfTime { get; init; }

    /// <summary>Beside an out-of-time figure, the in-time nested-CV estimate of the same procedure; null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public InTimeCost? InTime { get; init; }
}

/// <summary>The in-time nested-CV estimate beside an out-of-time headline (<see cref="CrossValidatedCost.InTime"/>): the
/// same figures as <see cref="CrossValidatedCost"/>, its own type so the contract's schema is not recursive (generated
/// clients and diff tools refuse a schema that contains itself).</summary>
public sealed record InTimeCost(
    double CostPerApplicant,
    double Ci95Low,
    double Ci95High,
    double Auc,
    int OuterFolds,
    int Repeats);

/// <summary>The two windows of the out-of-time estimate: the whole procedure ran on the rows dated
/// <see cref="TrainFrom"/> to <see cref="TrainTo"/>, and was scored on the later rows dated <see cref="TestFrom"/> to
/// <see cref="TestTo"/> (dates as the data writes them, <c>yyyy-MM-dd</c> or <c>yyyy-MM</c>, from the spec's <see cref="Column"/>).</summary>
public sealed record OutOfTimeWindows(
    string Column,
    string TrainFrom,
    string TrainTo,
    int TrainRows,
    string TestFrom,
    string TestTo,
    int TestRows);

/// <summary>Keys of the ONNX <c>metadata_props</c>; flat ones for tools that read a single value.</summary>
public static class ModelMetadataKeys
{
    public const string ModelCard = "creditrisk.model_card";
    public const string Threshold = "creditrisk.decision_threshold";
    public const string CostFalseNegative = "creditrisk.cost_fn";
    public const string CostFalsePositive = "creditrisk.cost_fp";
    public const string CardVersion = "creditrisk.card_version";

    /// <summary>The data set's machine name (<see cref="DatasetSpec.Name"/>).</summary>
    public const string Dataset = "creditrisk.dataset";

    /// <summary>The model version (<see cref="ModelIdentity"/>), also in the ONNX <c>model_version</c> field.</summary>
    public const string ContentHash = "creditrisk.content_hash";

    /// <summary>JSON of <see cref="Contracts.Provenance"/>: outside the card, so outside the version.</summary>
    public const string Provenance = "creditrisk.provenance";

    /// <summary>The ONNX output carrying P(bad) as float [N,1] (after ML.NET's calibrator); verified by the trainer at export.</summary>
    public const string ProbabilityOutput = "Probability.output";

    /// <summary>Float [N,1]: the applicant's PD threshold (reject when PD &gt; it): margin / (margin + loss) with
    /// loan-level economics, the card's constant threshold otherwise and whenever the economics cannot be computed.</summary>
    public const string ThresholdOutput = "Threshold.output";

    /// <summary>Bool [N,1]: approve, i.e. not (PD &gt; threshold).</summary>
    public const string ApproveOutput = "Approve.output";

    /// <summary>Float [N,1]: (1 − PD)·margin − PD·loss, in the economics' currency (cost units with constant costs); NaN when the economics cannot be computed.</summary>
    public const string ExpectedProfitOutput = "ExpectedProfit.output";

    /// <summary>Float [N,1]: the loss if approved and it defaults (exposure × LGD; the constant FN cost otherwise); NaN when not computable.</summary>
    public const string LossOutput = "Loss.output";

    /// <summary>Float [N,1]: the margin forgone if rejected and it would have repaid (the constant FP cost otherwise); NaN when not computable.</summary>
    public const string MarginOutput = "Margin.output";

    /// <summary>Float [N,1]: the points score on the spec's scale (<see cref="PointsScale"/>).</summary>
    public const string PointsOutput = "Points.output";

    /// <summary>Every output of an exported model, in graph order.</summary>
    public static readonly IReadOnlyList<string> Outputs = [ProbabilityOutput, ThresholdOutput, ApproveOutput, ExpectedProfitOutput, LossOutput, MarginOutput, PointsOutput];
}

/// <summary>GET /api/v1/model: the loaded model as a client sees it.</summary>
public sealed record ModelInfo(
    string Version,
    string Dataset,
    string Title,
    string Learner,
    double Threshold,
    double CostFalseNegative,
    double CostFalsePositive,
    CrossValidatedCost NestedCv,
    IReadOnlyDictionary<string, string> Hyperparameters,
    int TrainingRows,
    string TrainingDataSha256,
    IReadOnlyList<string> ExcludedFeatures,
    string CardVersion,
    IReadOnlyList<FeatureInfo> Features,
    IReadOnlyDictionary<string, JsonElement> ExampleApplicant,
    string? TrainingCommit,
    string? TrainingCommitDate,
    bool? TrainingTreeDirty,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    DecisionEconomics? Economics = null);

/// <summary>One attribute as the API describes it: the spec's fields, plus its reason code when it is a model input.</summary>
public sealed record FeatureInfo(
    string Name,
    FeatureKind Kind,
    FeatureRole Role,
    string Label,
    string? Description,
    string? Group,
    string? Unit,
    double? Min,
    double? Max,
    MissingPolicy Missing,
    IReadOnlyList<CategoryValue>? Values,
    string? ReasonCode);
