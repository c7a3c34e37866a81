using System.Buffers;
using System.Text.Json;
using CreditRisk.Contracts;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace CreditRisk.Server.Model;

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
    private readonly string[] _inputNames = [];
    private readonly string[] _outputNames = [];

    // One-row string tensors for every allowed value of every categorical input (and "" for a missing one), built
    // once: a single-applicant score then creates no string tensors (a native allocation + UTF-8 copy per category
    // per call). Inputs are only read by Run, so concurrent runs can share them. Indexed by input number.
    private Dictionary<string, OrtValue>?[] _oneRowCategories = [];

    /// <summary>Default of <see cref="ModelOptions.ParallelRunRows"/>: below it, a second run's fixed cost and the hand-off weigh more than the second core (provisional until the idle run: docs/performance.md).</summary>
    public const int DefaultParallelRunRows = 256;

    private readonly int _parallelRunRows;

    public CreditModel(IOptions<ModelOptions> options)
        : this(options.Value.ResolvedPath, options.Value.ParallelRunRows)
    {
    }

    public CreditModel(string path, int parallelRunRows = DefaultParallelRunRows)
    {
        Path = path;
        _parallelRunRows = parallelRunRows;
        ModelChecks.RefuseDirectory(path);
        if (!File.Exists(path))
        {
            throw new ModelLoadException(path, "file not found (set Model:Path or Model__Path)");
        }

        var bytes = File.ReadAllBytes(path);

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
            Card = ReadCard(path);
            // Recomputed from the very bytes the session is built from, so the version always names what is served.
            Version = VerifiedVersion(path, bytes);
            Provenance = ReadProvenance(path);
            Spec = Card.Dataset;
            Threshold = Card.Threshold;
            Features = Spec.Features;
            Inputs = [.. Spec.Inputs.Select(Spec.IndexOf)];
            _inputNames = CheckInputs(path);
            _outputNames = [CheckProbabilityOutput(path)];
            Reference = CheckedRow(path, "reference applicant", Card.ReferenceApplicant, inputsOnly: true);
            Example = CheckedRow(path, "example applicant", Card.ExampleApplicant, inputsOnly: false);
            BuildOneRowCategories();
            WarmUp(path);
            CheckEconomics(path);
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

    /// <summary>The model's identity (<see cref="ModelIdentity"/>: graph and card), recomputed and checked at load.</summary>
    public string Version { get; }

    /// <summary>Commit, commit date and dirty flag of the training checkout, when the trainer knew them.</summary>
    public Provenance Provenance { get; }

    /// <summary>What the trainer wrote into the file's metadata.</summary>
    public ModelCard Card { get; }

    /// <summary>Cost-optimal decision threshold on P(bad) chosen by the trainer.</summary>
    public double Threshold { get; }

    /// <summary>
    /// The applicant's own decision threshold: with loan-level economics (docs/economics.md) margin / (margin + loss)
    /// from its own amount, rate and number of months, in the float operations of the graph's <c>Threshold.output</c>
    /// (<see cref="LoanEconomics"/>; <see cref="ModelChecks.CheckEconomicsValues"/> verified at load that the graph agrees),
    /// and <see cref="Threshold"/> when they cannot be computed; <see cref="Threshold"/> with constant costs.
    /// </summary>
    public double ThresholdFor(ApplicantRow row)
    {
        if (Spec.Costs.Loan is not { } loan)
        {
            return Threshold;
        }

        int At(string name) => Spec.IndexOf(Spec.Find(name)!);
        var monthsAt = At(loan.Term);
        var months = LoanEconomics.Months(loan, loan.TermMonths is null ? null : row.Categories[monthsAt], loan.TermMonths is null ? row.Numbers[monthsAt] : float.NaN);
        var amounts = LoanEconomics.Amounts(loan, row.Numbers[At(loan.Exposure)], loan.Rate is { } rate ? row.Numbers[At(rate)] : float.NaN, months);
        return amounts.Threshold((float)Threshold);
    }

    /// <summary>The data set spec the model was trained on (from the card).</summary>
    public DatasetSpec Spec { get; }

    /// <summary>Every attribute of the spec, in spec order: the positions of <see cref="ApplicantRow"/>.</summary>
    public IReadOnlyList<FeatureSpec> Features { get; }

    /// <summary>The spec positions of the model inputs, in spec order (the ONNX inputs).</summary>
    public int[] Inputs { get; }

    /// <summary>The card's reference (most favourable) applicant, the baseline of reason codes.</summary>
    public ApplicantRow Reference { get; }

    /// <summary>The card's example applicant.</summary>
    public ApplicantRow Example { get; }

    /// <summary>
    /// Reads a request-shaped value (string for a category, number for a number, null = missing) as the model holds
    /// it. Returns the rule broken, or null. Categories come back as the spec's own instance of the value.
    /// </summary>
    public static string? TryRead(FeatureSpec feature, JsonElement value, out string? category, out float number)
    {
        category = null;
        number = float.NaN;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return feature.MayBeMissing || feature.Role != FeatureRole.Feature ? null : "may not be missing";
        }

        if (feature.IsCategory)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                var text = value.GetString();
                foreach (var v in feature.Values)
                {
                    if (v.Value == text)
                    {
                        category = v.Value;
                        return null;
                    }
                }
            }

            return "is not one of the listed values";
        }

        if (feature.IsNumber && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && feature.Accepts(d))
        {
            number = (float)d;
            return null;
        }

        return feature.IsNumber ? feature.NumberRule() : null;
    }

    /// <summary>
    /// Scores rows, writing P(bad) for each row into <paramref name="probabilities"/>: in one ONNX Runtime run, or, from
    /// <see cref="ModelOptions.ParallelRunRows"/> rows on, in one run per core in parallel (the tree kernels cost ~10 µs
    /// per row on one core, so a big batch is bound by the cores, not by the fixed cost of a run).
    /// </summary>
    public void Predict(ReadOnlySpan<ModelRow> rows, Span<float> probabilities)
    {
        var parts = Environment.ProcessorCount;
        if (_parallelRunRows == 0 || rows.Length < _parallelRunRows || parts < 2)
        {
            PredictOneRun(rows, probabilities);
            return;
        }

        // Spans cannot cross into the parallel loop: the rows go through pooled arrays.
        var count = rows.Length;
        var pooledRows = ArrayPool<ModelRow>.Shared.Rent(count);
        var pooledProbabilities = ArrayPool<float>.Shared.Rent(count);
        try
        {
            rows.CopyTo(pooledRows);
            var size = (count + parts - 1) / parts;
            try
            {
                RunParts();
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // Callers handle a bad output (ModelOutputException) as from one run: unwrap the first, keeping its stack.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }

            pooledProbabilities.AsSpan(0, count).CopyTo(probabilities);

            void RunParts() => Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
            {
                var start = part * size;
                var length = Math.Min(size, count - start);
                if (length > 0)
                {
                    PredictOneRun(pooledRows.AsSpan(start, length), pooledProbabilities.AsSpan(start, length));
                }
            });
        }
        finally
        {
            ArrayPool<ModelRow>.Shared.Return(pooledRows, clearArray: true);
            ArrayPool<float>.Shared.Return(pooledProbabilities);
        }
    }

    private void PredictOneRun(ReadOnlySpan<ModelRow> rows, Span<float> probabilities)
    {
        if (rows.Length == 0)
        {
            return;
        }

        var count = rows.Length;
        long[] shape = [count, 1];
        var reference = Reference;
        var inputs = new OrtValue[Inputs.Length];
        Span<bool> shared = stackalloc bool[Inputs.Length];
        var numeric = ArrayPool<float>.Shared.Rent(count * Inputs.Length);
        try
        {
            for (var i = 0; i < Inputs.Length; i++)
            {
                var position = Inputs[i];
                if (Features[position].IsCategory)
                {
                    var single = count == 1 ? (rows[0].SwappedFeature == position ? reference : rows[0].Applicant).Categories[position] ?? "" : null;
                    if (single is not null && _oneRowCategories[i]!.TryGetValue(single, out var cached))
                    {
                        inputs[i] = cached;
                        shared[i] = true;
                        continue;
                    }

                    var tensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                    inputs[i] = tensor;
                    for (var r = 0; r < count; r++)
                    {
                        var source = rows[r].SwappedFeature == position ? reference : rows[r].Applicant;
                        tensor.StringTensorSetElementAt((source.Categories[position] ?? "").AsSpan(), r);
                    }
                }
                else
                {
                    // Each numeric input gets its own slice of one pooled buffer; ORT reads it in place (pinned).
                    // NaN is a missing value: the graph imputes it.
                    var slice = numeric.AsMemory(i * count, count);
                    var span = slice.Span;
                    for (var r = 0; r < count; r++)
                    {
                        var source = rows[r].SwappedFeature == position ? reference : rows[r].Applicant;
                        span[r] = source.Numbers[position];
                    }

                    inputs[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, slice, shape);
                }
            }

            using var outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
            ModelChecks.CheckScores(outputs[0].GetTensorTypeAndShape().Shape, outputs[0].GetTensorDataAsSpan<float>(), count);
            outputs[0].GetTensorDataAsSpan<float>()[..count].CopyTo(probabilities);
        }
        finally
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                if (!shared[i])
                {
                    inputs[i]?.Dispose();
                }
            }

            ArrayPool<float>.Shared.Return(numeric);
        }
    }

    public float Predict(ApplicantRow applicant)
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
        _oneRowCategories = new Dictionary<string, OrtValue>?[Inputs.Length];
        for (var i = 0; i < Inputs.Length; i++)
        {
            var feature = Features[Inputs[i]];
            if (!feature.IsCategory)
            {
                continue;
            }

            var values = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
            _oneRowCategories[i] = values;
            foreach (var value in feature.Values.Select(v => v.Value).Append(""))
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
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feature in Inputs.Select(p => Features[p]))
        {
            names.Add(feature.Name);
            var expected = feature.IsCategory ? TensorElementType.String : TensorElementType.Float;
            if (!metadata.TryGetValue(feature.Name, out var input))
            {
                problems.Add($"missing input '{feature.Name}'");
            }
            else if (!input.IsTensor || input.ElementDataType != expected)
            {
                problems.Add($"input '{feature.Name}' must be a {expected} tensor");
            }
            else if (input.Dimensions is not [_, 1 or -1])
            {
                problems.Add($"input '{feature.Name}' must have shape [N,1] (has [{string.Join(",", input.Dimensions)}])");
            }
        }

        foreach (var name in metadata.Keys.Where(n => !names.Contains(n)))
        {
            problems.Add($"unexpected input '{name}'");
        }

        if (problems.Count > 0)
        {
            throw new ModelLoadException(path, "inputs do not match the data set spec's features: " + string.Join("; ", problems));
        }

        return [.. Inputs.Select(p => Features[p].Name)];
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

    /// <summary>
    /// The version the file claims (<see cref="ModelMetadataKeys.ContentHash"/> and the ONNX model_version field), checked
    /// against a recomputation: any edit of the card or the graph after export makes them differ, and is refused.
    /// </summary>
    private string VerifiedVersion(string path, byte[] bytes)
    {
        var metadata = _session.ModelMetadata;
        if (!metadata.CustomMetadataMap.TryGetValue(ModelMetadataKeys.ContentHash, out var claimed))
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.ContentHash}' is missing; export the model with the trainer");
        }

        string actual;
        try
        {
            actual = ModelIdentity.Of(bytes, metadata.CustomMetadataMap[ModelMetadataKeys.ModelCard]);
        }
        catch (FormatException e)
        {
            throw new ModelLoadException(path, $"cannot read the ONNX graph to verify '{ModelMetadataKeys.ContentHash}': {e.Message}", e);
        }

        if (claimed != actual || metadata.Version != ModelIdentity.AsOnnxModelVersion(actual))
        {
            throw new ModelLoadException(path,
                $"'{ModelMetadataKeys.ContentHash}' is {claimed} but the graph and card hash to {actual}: the file was edited after export; retrain or restore it");
        }

        return actual;
    }

    private Provenance ReadProvenance(string path)
    {
        if (!_session.ModelMetadata.CustomMetadataMap.TryGetValue(ModelMetadataKeys.Provenance, out var json))
        {
            return Provenance.Unknown;
        }

        try
        {
            return JsonSerializer.Deserialize<Provenance>(json, CardJson) ?? Provenance.Unknown;
        }
        catch (JsonException e)
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.Provenance}' is not provenance JSON: {e.Message}", e);
        }
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

        if (card.CardVersion != ModelCard.CurrentVersion)
        {
            throw new ModelLoadException(path,
                $"model card version {card.CardVersion} is not the version this server reads ({ModelCard.CurrentVersion}); retrain or use a matching server");
        }

        if (card.Dataset is null)
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.ModelCard}' has no dataset spec");
        }

        var problems = DatasetSpecRules.Check(card.Dataset);
        if (problems.Count > 0)
        {
            throw new ModelLoadException(path, "the card's dataset spec is not valid: " + string.Join("; ", problems));
        }

        if (!(card.Threshold is > 0 and < 1))
        {
            throw new ModelLoadException(path, $"decision threshold {card.Threshold} is not within (0, 1)");
        }

        return card;
    }

    /// <summary>Reads the card's reference or example applicant; a value outside the spec stops the load, naming the attributes.</summary>
    /// <summary>A request-shaped applicant (e.g. a golden row's input) as the model holds it; refuses values outside the spec.</summary>
    public ApplicantRow ReadRow(string what, IReadOnlyDictionary<string, JsonElement> values) =>
        CheckedRow(Path, what, values, inputsOnly: false);

    private ApplicantRow CheckedRow(string path, string what, IReadOnlyDictionary<string, JsonElement>? values, bool inputsOnly)
    {
        var row = new ApplicantRow(Features.Count);
        var bad = new List<string>();
        values ??= new Dictionary<string, JsonElement>();
        for (var p = 0; p < Features.Count; p++)
        {
            var feature = Features[p];
            if (feature.Role == FeatureRole.Id || (inputsOnly && feature.Role != FeatureRole.Feature))
            {
                continue;
            }

            if (!values.TryGetValue(feature.Name, out var value))
            {
                if (feature.Role == FeatureRole.Feature)
                {
                    bad.Add($"{feature.Name} (absent)");
                }

                continue;
            }

            if (TryRead(feature, value, out row.Categories[p], out row.Numbers[p]) is { } rule)
            {
                bad.Add($"{feature.Name} ({rule})");
            }
        }

        foreach (var name in values.Keys.Where(n => Spec.Find(n) is null))
        {
            bad.Add($"{name} (not in the spec)");
        }

        return bad.Count == 0 ? row : throw new ModelLoadException(path, $"{what} has values outside the spec: {string.Join(", ", bad)}");
    }

    /// <summary>
    /// The graph's decision outputs (docs/economics.md) must be those the card records, and on the example and reference
    /// applicants they must give the threshold, loss and margin the card's spec computes (<see cref="LoanEconomics"/>)
    /// and the decision "not (PD &gt; threshold)". A card written before the graph carried the decision, with a graph
    /// that has none, passes: such a model decides on the card's threshold alone.
    /// </summary>
    private void CheckEconomics(string path)
    {
        if (ModelChecks.CheckEconomicsOutputs(Card, _session.OutputMetadata) is { } problem)
        {
            throw new ModelLoadException(path, problem);
        }

        if (Card.Economics is null)
        {
            return;
        }

        ApplicantRow[] rows = [Example, Reference];
        var feeds = new List<NamedOnnxValue>();
        foreach (var position in Inputs)
        {
            var f = Features[position];
            feeds.Add(f.IsCategory
                ? NamedOnnxValue.CreateFromTensor(f.Name, new DenseTensor<string>(rows.Select(r => r.Categories[position] ?? "").ToArray(), [rows.Length, 1]))
                : NamedOnnxValue.CreateFromTensor(f.Name, new DenseTensor<float>(rows.Select(r => r.Numbers[position]).ToArray(), [rows.Length, 1])));
        }

        using var results = _session.Run(feeds, ModelMetadataKeys.Outputs);
        float[] Floats(string name) => [.. results.Single(r => r.Name == name).AsEnumerable<float>()];
        var probe = new EconomicsProbe(
            Floats(ModelMetadataKeys.ProbabilityOutput), Floats(ModelMetadataKeys.ThresholdOutput),
            [.. results.Single(r => r.Name == ModelMetadataKeys.ApproveOutput).AsEnumerable<bool>()],
            Floats(ModelMetadataKeys.LossOutput), Floats(ModelMetadataKeys.MarginOutput), Floats(ModelMetadataKeys.ExpectedProfitOutput));
        if (ModelChecks.CheckEconomicsValues(Card, rows, probe) is { } disagreement)
        {
            throw new ModelLoadException(path, disagreement);
        }
    }

    private void WarmUp(string path)
    {
        // The first run also lets ORT finish its lazy initialisation, so the first request is not slow.
        Span<float> pd = stackalloc float[2];
        Predict([new ModelRow(Example), new ModelRow(Reference)], pd);
        foreach (var p in pd)
        {
            if (!float.IsFinite(p) || p is < 0 or > 1)
            {
                throw new ModelLoadException(path, $"warm-up scoring returned {p}, not a probability");
            }
        }
    }
}
