using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using Microsoft.ML.OnnxRuntime;

namespace CreditRisk.Trainer.Export;

/// <summary>
/// Scores <see cref="CreditRecord"/>s with ONNX Runtime, feeding the spec's inputs (string [N,1] categories, "" when
/// missing; float [N,1] numbers, NaN when missing). Owns one session: sessions are expensive to create and safe to share across threads.
/// </summary>
public sealed class OnnxScorer : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxScorer(byte[] model)
    {
        // ORT logs ~26 harmless "Error merging shape info" warnings for ML.NET graphs; keep them out of the logs.
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _session = new InferenceSession(model, options);
    }

    public IReadOnlyDictionary<string, NodeMetadata> Inputs => _session.InputMetadata;

    public IReadOnlyDictionary<string, NodeMetadata> Outputs => _session.OutputMetadata;

    public IReadOnlyDictionary<string, string> Metadata => _session.ModelMetadata.CustomMetadataMap;

    public float[] Score(DatasetSpec spec, IReadOnlyList<CreditRecord> rows) =>
        Run(spec, rows, [ModelMetadataKeys.ProbabilityOutput], outputs => outputs[0].GetTensorDataAsSpan<float>().ToArray());

    /// <summary>Every output of the decision (<see cref="ModelMetadataKeys.Outputs"/>), per row.</summary>
    public DecisionOutputs ScoreDecisions(DatasetSpec spec, IReadOnlyList<CreditRecord> rows) =>
        Run(spec, rows, [.. ModelMetadataKeys.Outputs], o => new DecisionOutputs(
            o[0].GetTensorDataAsSpan<float>().ToArray(),
            o[1].GetTensorDataAsSpan<float>().ToArray(),
            o[2].GetTensorDataAsSpan<bool>().ToArray(),
            o[3].GetTensorDataAsSpan<float>().ToArray(),
            o[4].GetTensorDataAsSpan<float>().ToArray(),
            o[5].GetTensorDataAsSpan<float>().ToArray(),
            o[6].GetTensorDataAsSpan<float>().ToArray()));

    private T Run<T>(DatasetSpec spec, IReadOnlyList<CreditRecord> rows, string[] names, Func<IDisposableReadOnlyCollection<OrtValue>, T> read)
    {
        long[] shape = [rows.Count, 1];
        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            foreach (var f in spec.Inputs)
            {
                var i = spec.IndexOf(f);
                if (f.IsCategory)
                {
                    var tensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                    inputs[f.Name] = tensor;
                    for (var r = 0; r < rows.Count; r++)
                    {
                        tensor.StringTensorSetElementAt((rows[r].Categories[i] ?? string.Empty).AsSpan(), r);
                    }
                }
                else
                {
                    inputs[f.Name] = OrtValue.CreateTensorValueFromMemory(rows.Select(row => row.Numbers[i]).ToArray(), shape);
                }
            }

            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, inputs, names);
            return read(outputs);
        }
        finally
        {
            foreach (var value in inputs.Values)
            {
                value.Dispose();
            }
        }
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>The graph's outputs for a batch, one value per row each.</summary>
public sealed record DecisionOutputs(float[] Pd, float[] Threshold, bool[] Approve, float[] ExpectedProfit, float[] Loss, float[] Margin, float[] Points);
