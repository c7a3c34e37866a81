using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Health;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring;
using CreditRisk.Server.Scoring.Input;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.OpenInference;

/// <summary>
/// The Open Inference Protocol over the served model, for both transports. A request's tensors are turned, row by
/// row, into the <c>{"applicants": [ … ]}</c> body of /api/v1/score/batch and go through the same reader (so the same
/// rules, named per input and row) and the same scoring call, so a V2 batch scores bit for bit like a v1 batch.
/// </summary>
public sealed class V2Scoring(
    DecisionPipeline pipeline, ApplicantReader reader, HealthCheckService health, IOptions<ScoringOptions> scoring)
{
    /// <summary>The outputs, in the order a response carries them when the request names none.</summary>
    public const string ProbabilityOutput = "probability_of_default";
    public const string DecisionOutput = "decision";
    public const string ReasonsOutput = "reasons";

    /// <summary>The decision outputs of a model file that carries them (docs/economics.md), after the three above.</summary>
    public const string ThresholdOutput = "threshold";
    public const string ExpectedProfitOutput = "expected_profit";
    public const string LossOutput = "loss";
    public const string MarginOutput = "margin";
    public const string PointsOutput = "points";

    public const string Bytes = "BYTES";
    public const string Fp32 = "FP32";

    /// <summary>Triton's name for an ONNX model run by ONNX Runtime.</summary>
    public const string Platform = "onnxruntime_onnx";

    private const int MaxRowsNamed = 5;
    private static readonly string[] NumberTypes = [Fp32, "FP64", "INT32", "INT64"];
    private readonly CreditModel _model = pipeline.Model;

    private string[] Outputs => _model.HasDecisionOutputs
        ? [ProbabilityOutput, DecisionOutput, ReasonsOutput, ThresholdOutput, ExpectedProfitOutput, LossOutput, MarginOutput, PointsOutput]
        : [ProbabilityOutput, DecisionOutput, ReasonsOutput];

    /// <summary>
    /// The value of a numeric (FP32) output for one result, or null for a BYTES output. An amount the applicant's
    /// economics could not give (<see cref="DecisionMoney.Fallback"/>) is NaN: gRPC carries it as such, REST as null.
    /// </summary>
    public static double? Number(string output, ScoreResult result) => output switch
    {
        ProbabilityOutput => result.ProbabilityOfDefault,
        ThresholdOutput => result.Threshold,
        ExpectedProfitOutput => result.Money?.ExpectedProfit ?? double.NaN,
        LossOutput => result.Money?.Loss ?? double.NaN,
        MarginOutput => result.Money?.Margin ?? double.NaN,
        PointsOutput => result.Points ?? double.NaN,
        _ => null,
    };

    /// <summary>The value of a BYTES output for one result.</summary>
    public static string Text(string output, ScoreResult result) => output == DecisionOutput ? result.Decision : ReasonsJson(result);

    public CreditModel Model => _model;

    public static ServerMetadata Server { get; } = new(
        "creditrisk", typeof(V2Scoring).Assembly.GetName().Version?.ToString(3) ?? "0.0.0", RepositoryExtension.Extensions);

    /// <summary>Ready: the server's own readiness checks (model loaded and healthy, not draining), one definition.</summary>
    public async Task<bool> ReadyAsync(CancellationToken cancellationToken) =>
        (await health.CheckHealthAsync(c => c.Tags.Contains(HealthEndpoints.ReadyTag), cancellationToken)).Status == HealthStatus.Healthy;

    /// <summary>Why the model name and version do not name the served model, or null when they do (an empty version is
    /// "any"; <paramref name="folder"/>, the repository's version folder, names it too).</summary>
    public string? UnknownModel(string name, string? version, string? folder = null)
    {
        if (!string.Equals(name, _model.Spec.Name, StringComparison.Ordinal))
        {
            return $"unknown model '{Truncate(name)}'; this server serves '{_model.Spec.Name}'";
        }

        return string.IsNullOrEmpty(version) || string.Equals(version, _model.Version, StringComparison.Ordinal)
            || (!string.IsNullOrEmpty(folder) && string.Equals(version, folder, StringComparison.Ordinal))
            ? null
            : $"unknown version '{Truncate(version)}' of model '{_model.Spec.Name}'; the served version is '{_model.Version}'";
    }

    public ModelMetadata Metadata() => new(
        _model.Spec.Name,
        [_model.Version],
        Platform,
        [.. _model.Inputs.Select(i => _model.Features[i]).Select(f => new TensorMetadata(f.Name, f.IsCategory ? Bytes : Fp32, [-1, 1]))],
        [.. Outputs.Select(o => new TensorMetadata(o, o is DecisionOutput or ReasonsOutput ? Bytes : Fp32, [-1, 1]))],
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["threshold"] = _model.Threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["title"] = _model.Spec.Title,
        });

    /// <summary>Validates and scores the tensors of one infer request; <paramref name="endpoint"/> labels the metrics.</summary>
    /// <exception cref="Records.StoreUnavailableException">The decisions could not be recorded: nothing may be answered.</exception>
    public async Task<InferOutcome> InferAsync(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputs, string endpoint, string requestId)
    {
        var started = Stopwatch.GetTimestamp();
        var maxBatch = scoring.Value.MaxBatchSize;
        if (CheckTensors(inputs, outputs, maxBatch, out var rows) is { } invalid)
        {
            return invalid;
        }

        var body = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("applicants");
            for (var r = 0; r < rows; r++)
            {
                writer.WriteStartObject();
                foreach (var input in inputs)
                {
                    writer.WritePropertyName(input.Name);
                    input.Write(writer, r);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var errors = new ValidationErrors();
        var applicants = reader.ReadBatch(new ReadOnlySequence<byte>(body.WrittenMemory), maxBatch, errors, out _);
        if (applicants is null)
        {
            return InferOutcome.Invalid(Describe(errors));
        }

        var results = await pipeline.DecideAsync(applicants, endpoint, requestId, started);
        return InferOutcome.Scored(results, outputs.Count == 0 ? Outputs : outputs);
    }

    /// <summary>The reasons of one result as the JSON string a "reasons" BYTES element carries.</summary>
    public static string ReasonsJson(ScoreResult result) =>
        JsonSerializer.Serialize(result.Reasons, V2JsonContext.Default.IReadOnlyListReason);

    private InferOutcome? CheckTensors(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputs, int maxBatch, out int rows)
    {
        rows = 0;
        if (inputs.Count == 0)
        {
            return InferOutcome.Invalid($"'inputs' must hold the model's inputs as tensors; see GET /v2/models/{_model.Spec.Name}");
        }

        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long? batch = null;
        foreach (var input in inputs)
        {
            var name = Truncate(input.Name);
            var feature = _model.Spec.Find(input.Name);
            // Protected and id attributes are accepted as in /api/v1 (never fed to the model; ids are not echoed here).
            if (feature is null)
            {
                problems.Add($"input '{name}' is not an input of model '{_model.Spec.Name}'; unknown inputs are rejected");
                continue;
            }

            if (!seen.Add(input.Name))
            {
                problems.Add($"input '{name}' is given more than once");
                continue;
            }

            var category = feature.Kind == FeatureKind.Category;
            if (category ? input.Datatype != Bytes : !NumberTypes.Contains(input.Datatype))
            {
                problems.Add($"input '{name}': datatype must be {(category ? Bytes : string.Join(", ", NumberTypes))} (got '{Truncate(input.Datatype)}')");
                continue;
            }

            if (input.Shape.Count is < 1 or > 2 || (input.Shape.Count == 2 && input.Shape[1] != 1) || input.Shape[0] < 1)
            {
                problems.Add($"input '{name}': shape must be [N, 1] (or [N]) with N ≥ 1, one row per applicant (got [{string.Join(", ", input.Shape)}])");
                continue;
            }

            if (input.Count != input.Shape[0])
            {
                problems.Add($"input '{name}': shape [{string.Join(", ", input.Shape)}] needs {input.Shape[0]} elements (got {input.Count})");
                continue;
            }

            if (batch is { } n && n != input.Shape[0])
            {
                problems.Add($"input '{name}': every input must have the same number of rows ({n}; got {input.Shape[0]})");
                continue;
            }

            batch = input.Shape[0];
        }

        foreach (var output in outputs)
        {
            if (!Outputs.Contains(output))
            {
                problems.Add($"output '{Truncate(output)}' is not an output of model '{_model.Spec.Name}' (it has {string.Join(", ", Outputs)})");
            }
        }

        if (problems.Count > 0)
        {
            return InferOutcome.Invalid(string.Join("; ", problems));
        }

        if (batch > maxBatch)
        {
            return InferOutcome.TooLarge($"a request may hold at most {maxBatch} rows (Scoring:MaxBatchSize); split it into smaller requests");
        }

        rows = (int)batch!.Value;
        return null;
    }

    /// <summary>The reader's errors (applicants[i].field → rules) as one protocol error: each field and rule once, with its rows.</summary>
    private static string Describe(ValidationErrors errors)
    {
        var byRule = new Dictionary<(string Field, string Rule), List<string>>();
        foreach (var (key, rules) in errors.ToDictionary())
        {
            // "applicants[3].duration" → input 'duration', row 3.
            var (field, row) = key.StartsWith("applicants[", StringComparison.Ordinal) && key.IndexOf("].", StringComparison.Ordinal) is > 0 and var close
                ? (key[(close + 2)..], key["applicants[".Length..close])
                : (key, "");
            foreach (var rule in rules)
            {
                if (!byRule.TryGetValue((field, rule), out var rows))
                {
                    byRule[(field, rule)] = rows = [];
                }

                rows.Add(row);
            }
        }

        return string.Join("; ", byRule.Select(e =>
        {
            var rows = e.Value.Where(r => r.Length > 0).ToList();
            var where = rows.Count switch
            {
                0 => "",
                1 => $" (row {rows[0]})",
                <= MaxRowsNamed => $" (rows {string.Join(", ", rows)})",
                _ => $" (rows {string.Join(", ", rows.Take(MaxRowsNamed))} and {rows.Count - MaxRowsNamed} more)",
            };
            return $"input '{e.Key.Field}'{where}: {e.Key.Rule}";
        }));
    }

    internal static string Truncate(string text) => text.Length > 64 ? text[..64] + "…" : text;
}

/// <summary>What an infer request came to: scored results, or the protocol error to answer with.</summary>
public sealed record InferOutcome(ScoreResult[]? Results, IReadOnlyList<string> Outputs, string? Error, bool BatchTooLarge)
{
    public static InferOutcome Scored(ScoreResult[] results, IReadOnlyList<string> outputs) => new(results, outputs, null, false);

    public static InferOutcome Invalid(string error) => new(null, [], error, false);

    public static InferOutcome TooLarge(string error) => new(null, [], error, true);
}
