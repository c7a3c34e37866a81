using System.Buffers;
using System.Text.Json;
using CreditRisk.Contracts;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace CreditRisk.Server.Model;

/// <summary>
/// Owns the ONNX Runtime session for the shipped model and scores rows with it (<see cref="Predict(ReadOnlySpan{ModelRow}, Span{float})"/>).
/// Creating a session is expensive and a session is safe to share across threads, so there is exactly one per process
/// (a DI singleton). The file is verified by <see cref="ModelFile"/> when it is loaded, and warmed up here, so a wrong
/// file stops the server at start-up rather than failing requests later.
/// </summary>
public sealed class CreditModel : IDisposable
{
    private readonly ModelFile _file;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames = [];
    private readonly string[] _outputNames = [];

    // PD first, then the decision outputs in the order GraphDecision reads them; empty for a graph without them. Not
    // Points.output: the scorer computes points from the PD with the same formula (Scorer), and ONNX Runtime then skips
    // the graph's Clip/Div/Log/Mul/Add for them.
    private readonly string[] _decisionOutputNames = [];

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
        _parallelRunRows = parallelRunRows;
        using var sessionOptions = NewSessionOptions();
        _file = ModelFile.Open(path, sessionOptions);
        _session = _file.Session;
        Path = path;
        Card = _file.Card;
        Version = _file.Version;
        Provenance = _file.Provenance;
        Spec = _file.Spec;
        Threshold = Card.Threshold;
        Features = _file.Features;
        Inputs = _file.Inputs;
        _inputNames = _file.InputNames;
        _outputNames = _file.OutputNames;
        HasDecisionOutputs = Card.Economics is not null;
        _decisionOutputNames = HasDecisionOutputs
            ? [ModelMetadataKeys.ProbabilityOutput, ModelMetadataKeys.ThresholdOutput, ModelMetadataKeys.ApproveOutput,
                ModelMetadataKeys.ExpectedProfitOutput, ModelMetadataKeys.LossOutput, ModelMetadataKeys.MarginOutput]
            : [];
        Reference = _file.Reference;
        Example = _file.Example;
        try
        {
            BuildOneRowCategories();
            WarmUp(path);
            _file.CheckEconomics();
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
    /// The graph decides (its card lists the decision outputs, checked at load): answers carry its threshold, decision,
    /// money and points. False for a file written before the graph carried the decision: the card's threshold decides.
    /// </summary>
    public bool HasDecisionOutputs { get; }

    /// <summary>The basis and currency of the graph's amounts (null without decision outputs).</summary>
    public DecisionEconomics? Economics => Card.Economics;

    /// <summary>
    /// Scores rows, writing P(bad) for each row into <paramref name="probabilities"/>: in one ONNX Runtime run, or, from
    /// <see cref="ModelOptions.ParallelRunRows"/> rows on, in one run per core in parallel (the tree kernels cost ~10 µs
    /// per row on one core, so a big batch is bound by the cores, not by the fixed cost of a run).
    /// </summary>
    public void Predict(ReadOnlySpan<ModelRow> rows, Span<float> probabilities) => Predict(rows, probabilities, []);

    /// <summary>
    /// As <see cref="Predict(ReadOnlySpan{ModelRow}, Span{float})"/>, and, when <paramref name="decisions"/> is not
    /// empty (same length as the rows), each row's <see cref="GraphDecision"/>: from the graph's decision outputs, or
    /// for a graph without them the card's threshold and "not (PD &gt; threshold)" with NaN amounts. The reasons'
    /// "what if" rows pass none: they need only the PD, and ONNX Runtime then skips the decision nodes.
    /// </summary>
    public void Predict(ReadOnlySpan<ModelRow> rows, Span<float> probabilities, Span<GraphDecision> decisions)
    {
        var parts = Environment.ProcessorCount;
        if (_parallelRunRows == 0 || rows.Length < _parallelRunRows || parts < 2)
        {
            PredictOneRun(rows, probabilities, decisions);
            return;
        }

        // Spans cannot cross into the parallel loop: the rows go through pooled arrays.
        var count = rows.Length;
        var pooledRows = ArrayPool<ModelRow>.Shared.Rent(count);
        var pooledProbabilities = ArrayPool<float>.Shared.Rent(count);
        var withDecisions = !decisions.IsEmpty;
        var pooledDecisions = withDecisions ? ArrayPool<GraphDecision>.Shared.Rent(count) : [];
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
            if (withDecisions)
            {
                pooledDecisions.AsSpan(0, count).CopyTo(decisions);
            }

            void RunParts() => Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
            {
                var start = part * size;
                var length = Math.Min(size, count - start);
                if (length > 0)
                {
                    PredictOneRun(pooledRows.AsSpan(start, length), pooledProbabilities.AsSpan(start, length),
                        withDecisions ? pooledDecisions.AsSpan(start, length) : []);
                }
            });
        }
        finally
        {
            ArrayPool<ModelRow>.Shared.Return(pooledRows, clearArray: true);
            ArrayPool<float>.Shared.Return(pooledProbabilities);
            if (withDecisions)
            {
                ArrayPool<GraphDecision>.Shared.Return(pooledDecisions);
            }
        }
    }

    private void PredictOneRun(ReadOnlySpan<ModelRow> rows, Span<float> probabilities, Span<GraphDecision> decisions)
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

            var fromGraph = !decisions.IsEmpty && HasDecisionOutputs;
            using var outputs = _session.Run(_runOptions, _inputNames, inputs, fromGraph ? _decisionOutputNames : _outputNames);
            try
            {
                ModelChecks.CheckScores(outputs[0].GetTensorTypeAndShape().Shape, outputs[0].GetTensorDataAsSpan<float>(), count);
                outputs[0].GetTensorDataAsSpan<float>()[..count].CopyTo(probabilities);
                if (fromGraph)
                {
                    ReadDecisions(outputs, count, decisions);
                }
            }
            catch (ModelOutputException e) when (e.Model.Length == 0)
            {
                // Named, so the bad outputs are counted by model (creditrisk_model_bad_outputs_total{model}).
                throw new ModelOutputException(e.Message, Spec.Name, e);
            }

            if (!fromGraph && !decisions.IsEmpty)
            {
                var threshold = (float)Threshold;
                for (var r = 0; r < count; r++)
                {
                    decisions[r] = new GraphDecision(threshold, !Decisions.Rejects(probabilities[r], Threshold), float.NaN, float.NaN, float.NaN);
                }
            }
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

    private static void ReadDecisions(IDisposableReadOnlyCollection<OrtValue> outputs, int count, Span<GraphDecision> decisions)
    {
        var threshold = outputs[1].GetTensorDataAsSpan<float>();
        var approve = outputs[2].GetTensorDataAsSpan<bool>();
        var profit = outputs[3].GetTensorDataAsSpan<float>();
        var loss = outputs[4].GetTensorDataAsSpan<float>();
        var margin = outputs[5].GetTensorDataAsSpan<float>();
        for (var i = 1; i < outputs.Count; i++)
        {
            ModelChecks.CheckDecisionOutput(outputs[i].GetTensorTypeAndShape().Shape, count);
        }

        for (var r = 0; r < count; r++)
        {
            // A threshold is a probability whatever the economics; NaN or out of [0, 1] is a broken graph, as a bad PD is.
            if (!(threshold[r] >= 0 && threshold[r] <= 1))
            {
                throw new ModelOutputException($"the model returned the threshold {threshold[r]}, not a probability");
            }

            decisions[r] = new GraphDecision(threshold[r], approve[r], profit[r], loss[r], margin[r]);
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

    /// <summary>A request-shaped applicant (e.g. a golden row's input) as the model holds it; refuses values outside the spec.</summary>
    public ApplicantRow ReadRow(string what, IReadOnlyDictionary<string, JsonElement> values) => _file.ReadRow(what, values);

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
