using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using CreditRisk.Contracts;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace CreditRisk.Server.Model;

/// <summary>
/// One row fed to the model: an applicant, optionally with one attribute (by position in <see cref="FeatureSchema.All"/>)
/// taken from the model's reference applicant instead. Reason codes are measured with such rows.
/// </summary>
public readonly record struct ModelRow(Applicant Applicant, int SwappedFeature = ModelRow.NoSwap)
{
    public const int NoSwap = -1;
}

/// <summary>
/// Owns the ONNX Runtime session for the shipped model. Creating a session is expensive and a session is safe to
/// share across threads, so there is exactly one per process (a DI singleton). The file is checked when it is
/// loaded, so a wrong file stops the server at start-up rather than failing requests later.
/// </summary>
public sealed class CreditModel : IDisposable
{
    private static readonly JsonSerializerOptions CardJson = new(JsonSerializerDefaults.Web);

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    // One-row string tensors for every allowed value of every categorical input, built once: a single-applicant score
    // then creates no string tensors (13 native allocations + UTF-8 copies per call). Inputs are only read by Run, so
    // concurrent runs can share them.
    private readonly Dictionary<string, OrtValue>?[] _oneRowCategories = new Dictionary<string, OrtValue>?[FeatureSchema.All.Count];

    public CreditModel(IOptions<ModelOptions> options)
        : this(options.Value.ResolvedPath)
    {
    }

    public CreditModel(string path)
    {
        Path = path;
        ModelChecks.RefuseDirectory(path);
        if (!File.Exists(path))
        {
            throw new ModelLoadException(path, "file not found (set Model:Path or Model__Path)");
        }

        // Hash the very bytes the session is built from, so the version always names what is being served.
        var bytes = File.ReadAllBytes(path);
        Version = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];

        using var sessionOptions = NewSessionOptions();
        try
        {
            _session = new InferenceSession(bytes, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException(path, $"not a valid ONNX model ({bytes.Length} bytes): {e.Message}", e);
        }

        try
        {
            _inputNames = CheckInputs(path);
            BuildOneRowCategories();
            _outputNames = [CheckProbabilityOutput(path)];
            Card = ReadCard(path);
            Threshold = Card.Threshold;
            WarmUp(path);
        }
        catch (Exception e)
        {
            DisposeOneRowCategories();
            _session.Dispose();
            if (e is ModelOutputException bad)
            {
                throw new ModelLoadException(path, "warm-up scoring: " + bad.Message, bad);
            }

            throw;
        }
    }

    /// <summary>How the server runs a model; the benchmarks' ONNX Runtime floor uses the same settings.</summary>
    public static OrtSessionOptions NewSessionOptions() => new()
    {
        // Requests are already parallel across Kestrel threads; intra-op threads would only contend for the 2 cores.
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        // ORT's load-time warnings about a model's shape annotations (ML.NET exports carry some) are not for users' logs.
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        LogId = "creditrisk",
    };

    /// <summary>The file the model was loaded from.</summary>
    public string Path { get; }

    /// <summary>First 12 hex digits of the SHA-256 of the file: changes whenever the served model changes.</summary>
    public string Version { get; }

    /// <summary>What the trainer wrote into the file's metadata.</summary>
    public ModelCard Card { get; }

    /// <summary>Cost-optimal decision threshold on P(bad) chosen by the trainer.</summary>
    public double Threshold { get; }

    /// <summary>Scores rows in one ONNX Runtime run, writing P(bad) for each row into <paramref name="probabilities"/>.</summary>
    public void Predict(ReadOnlySpan<ModelRow> rows, Span<float> probabilities)
    {
        if (rows.Length == 0)
        {
            return;
        }

        var features = FeatureSchema.All;
        var count = rows.Length;
        long[] shape = [count, 1];
        var reference = Card.ReferenceApplicant;
        var inputs = new OrtValue[features.Count];
        Span<bool> shared = stackalloc bool[features.Count];
        var numeric = ArrayPool<float>.Shared.Rent(count * features.Count);
        try
        {
            for (var f = 0; f < features.Count; f++)
            {
                var feature = features[f];
                if (feature.IsCategorical)
                {
                    var single = count == 1 ? (rows[0].SwappedFeature == f ? reference : rows[0].Applicant).Category(feature.Index) : null;
                    if (single is not null && _oneRowCategories[f]!.TryGetValue(single, out var cached))
                    {
                        inputs[f] = cached;
                        shared[f] = true;
                        continue;
                    }

                    var tensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                    inputs[f] = tensor;
                    for (var r = 0; r < count; r++)
                    {
                        var source = rows[r].SwappedFeature == f ? reference : rows[r].Applicant;
                        tensor.StringTensorSetElementAt(source.Category(feature.Index).AsSpan(), r);
                    }
                }
                else
                {
                    // Each numeric input gets its own slice of one pooled buffer; ORT reads it in place (pinned).
                    var slice = numeric.AsMemory(f * count, count);
                    var span = slice.Span;
                    for (var r = 0; r < count; r++)
                    {
                        var source = rows[r].SwappedFeature == f ? reference : rows[r].Applicant;
                        span[r] = source.Number(feature.Index);
                    }

                    inputs[f] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, slice, shape);
                }
            }

            using var outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
            ModelChecks.CheckScores(outputs[0].GetTensorTypeAndShape().Shape, outputs[0].GetTensorDataAsSpan<float>(), count);
            outputs[0].GetTensorDataAsSpan<float>()[..count].CopyTo(probabilities);
        }
        finally
        {
            for (var f = 0; f < inputs.Length; f++)
            {
                if (!shared[f])
                {
                    inputs[f]?.Dispose();
                }
            }

            ArrayPool<float>.Shared.Return(numeric);
        }
    }

    public float Predict(Applicant applicant)
    {
        Span<float> pd = stackalloc float[1];
        Predict([new ModelRow(applicant)], pd);
        return pd[0];
    }

    public void Dispose()
    {
        DisposeOneRowCategories();
        _session.Dispose();
        _runOptions.Dispose();
    }

    private void BuildOneRowCategories()
    {
        long[] shape = [1, 1];
        for (var position = 0; position < FeatureSchema.All.Count; position++)
        {
            var feature = FeatureSchema.All[position];
            if (!feature.IsCategorical)
            {
                continue;
            }

            var values = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
            _oneRowCategories[position] = values;
            foreach (var value in feature.AllowedValues)
            {
                var tensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                values[value] = tensor;
                tensor.StringTensorSetElementAt(value.AsSpan(), 0);
            }
        }
    }

    private void DisposeOneRowCategories()
    {
        foreach (var values in _oneRowCategories)
        {
            foreach (var tensor in values?.Values ?? Enumerable.Empty<OrtValue>())
            {
                tensor.Dispose();
            }
        }
    }

    private string[] CheckInputs(string path)
    {
        var metadata = _session.InputMetadata;
        var problems = new List<string>();
        foreach (var feature in FeatureSchema.All)
        {
            var expected = feature.IsCategorical ? TensorElementType.String : TensorElementType.Float;
            if (!metadata.TryGetValue(feature.Name, out var input))
            {
                problems.Add($"missing input '{feature.Name}'");
            }
            else if (!input.IsTensor || input.ElementDataType != expected)
            {
                problems.Add($"input '{feature.Name}' must be a {expected} tensor");
            }
        }

        foreach (var name in metadata.Keys)
        {
            if (!FeatureSchema.TryGet(name, out _))
            {
                problems.Add($"unexpected input '{name}'");
            }
        }

        if (problems.Count > 0)
        {
            throw new ModelLoadException(path, "inputs do not match the feature schema: " + string.Join("; ", problems));
        }

        return [.. FeatureSchema.All.Select(f => f.Name)];
    }

    private string CheckProbabilityOutput(string path)
    {
        var name = ModelMetadataKeys.ProbabilityOutput;
        if (!_session.OutputMetadata.TryGetValue(name, out var output))
        {
            throw new ModelLoadException(path,
                $"no output '{name}' (outputs: {string.Join(", ", _session.OutputMetadata.Keys)})");
        }

        if (!output.IsTensor || output.ElementDataType != TensorElementType.Float)
        {
            throw new ModelLoadException(path, $"output '{name}' must be a float tensor");
        }

        if (ModelChecks.CheckOutputShape(name, output) is { } shape)
        {
            throw new ModelLoadException(path, shape);
        }

        return name;
    }

    private ModelCard ReadCard(string path)
    {
        var metadata = _session.ModelMetadata.CustomMetadataMap;
        if (!metadata.TryGetValue(ModelMetadataKeys.ModelCard, out var json))
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.ModelCard}' is missing");
        }

        ModelCard? card;
        try
        {
            card = JsonSerializer.Deserialize<ModelCard>(json, CardJson);
        }
        catch (JsonException e)
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.ModelCard}' is not a model card: {e.Message}", e);
        }

        if (card is null)
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.ModelCard}' is empty");
        }

        if (ModelChecks.CheckCard(card) is { } nonsense)
        {
            throw new ModelLoadException(path, nonsense);
        }

        if (card.SchemaVersion != FeatureSchema.Version)
        {
            throw new ModelLoadException(path,
                $"model was trained on feature schema {card.SchemaVersion}, this server speaks {FeatureSchema.Version}");
        }

        if (!(card.Threshold is > 0 and < 1))
        {
            throw new ModelLoadException(path, $"decision threshold {card.Threshold} is not within (0, 1)");
        }

        var badReference = FeatureSchema.Categorical
            .Where(f => card.ReferenceApplicant.Category(f.Index) is not { } v || !f.IsAllowed(v))
            .Select(f => f.Name)
            .ToList();
        if (badReference.Count > 0)
        {
            throw new ModelLoadException(path, $"reference applicant has values outside the schema: {string.Join(", ", badReference)}");
        }

        return card;
    }

    private void WarmUp(string path)
    {
        // The first run also lets ORT finish its lazy initialisation, so the first request is not slow.
        Span<float> pd = stackalloc float[2];
        Predict([new ModelRow(Applicant.Example), new ModelRow(Card.ReferenceApplicant)], pd);
        foreach (var p in pd)
        {
            if (!float.IsFinite(p) || p is < 0 or > 1)
            {
                throw new ModelLoadException(path, $"warm-up scoring returned {p}, not a probability");
            }
        }
    }
}
