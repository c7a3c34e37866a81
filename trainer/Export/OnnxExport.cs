using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Selection;
using Microsoft.ML;

namespace CreditRisk.Trainer.Export;

/// <summary>Thrown when a pipeline cannot be represented faithfully in ONNX: no file is written.</summary>
public sealed class OnnxExportException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Converts a fitted pipeline to one ONNX file (raw applicant fields in, calibrated PD out), writes the model card
/// into its metadata and proves the file: the inputs must be exactly the spec's, and ONNX Runtime must reproduce
/// ML.NET's PDs and decisions on the rows given.
/// </summary>
public static class OnnxExport
{
    /// <summary>Largest |ΔPD| between ML.NET and ONNX Runtime the export accepts.</summary>
    public const double Tolerance = 1e-5;

    private const string ProbabilityColumn = "Probability";

    /// <summary>The converter's output, no metadata yet: graph, opsets, IR version.</summary>
    public static byte[] Convert(MLContext ml, ITransformer model, DatasetSpec spec, IReadOnlyList<CreditRecord> rows)
    {
        using var stream = new MemoryStream();
        try
        {
            // Against a view WITHOUT the label (else the graph gains a Label input) and naming the one output we
            // want (else the graph echoes every column).
            ml.Model.ConvertToOnnx(model, new CreditDataView(spec, rows, withLabel: false), stream, ProbabilityColumn);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new OnnxExportException($"ML.NET cannot convert this pipeline to ONNX: {ex.Message}", ex);
        }

        return stream.ToArray();
    }

    /// <summary>One file for a fitted model: an ensemble's members are converted one by one and merged, the merged
    /// graph computing their mean PD (<see cref="OnnxEnsemble"/>); linear members are rewritten so a PD does not
    /// depend on the batch it is scored in (<see cref="OnnxLinear"/>), and the converter's no-op cast pairs go
    /// (<see cref="OnnxCasts"/>). <see cref="Verify(byte[], FittedModel, IReadOnlyList{CreditRecord}, double)"/>
    /// then proves the result against ML.NET.</summary>
    public static byte[] Convert(MLContext ml, FittedModel model, IReadOnlyList<CreditRecord> rows)
    {
        var graph = OnnxCasts.RemoveRoundTrips(OnnxLinear.BatchInvariant(
            OnnxEnsemble.Merge(model.Members.Select(m => Convert(ml, m, model.Spec, rows)).ToArray(), ModelMetadataKeys.ProbabilityOutput)));
        return model.Recalibration is { } platt ? OnnxRecalibration.Append(graph, platt, ModelMetadataKeys.ProbabilityOutput) : graph;
    }

    public static void Verify(byte[] onnx, ITransformer model, DatasetSpec spec, IReadOnlyList<CreditRecord> rows, double threshold) =>
        Verify(onnx, new FittedModel(spec, [model]), rows, threshold);

    /// <summary>
    /// The graph's decision outputs against the trainer's reference (<see cref="LoanEconomics"/>, in the same float
    /// operations): threshold to 1e-5, amounts to 1e-4 relative, expected profit and points of the graph's own PD to
    /// 1e-4 relative, and the decision exactly ML.NET's under the reference threshold.
    /// </summary>
    public static void VerifyDecisions(DecisionOutputs actual, Money money, IReadOnlyList<float> mlnetPd, double constantThreshold, PointsScale points)
    {
        static bool Close(float a, float b, double relative) =>
            (float.IsNaN(a) && float.IsNaN(b)) || Math.Abs(a - b) <= relative * Math.Max(1, Math.Abs(b));

        for (var i = 0; i < actual.Pd.Length; i++)
        {
            var amounts = money.Amounts[i];
            var threshold = money.Threshold(i, constantThreshold);
            var problem =
                !(Math.Abs(actual.Threshold[i] - threshold) <= Tolerance) ? $"threshold {actual.Threshold[i]:R} vs {threshold:R}"
                : actual.Approve[i] == Decisions.Rejects(mlnetPd[i], threshold) ? $"decision {(actual.Approve[i] ? "approve" : "reject")} vs ML.NET's PD {mlnetPd[i]:R} at threshold {threshold:R}"
                : !Close(actual.Loss[i], amounts.Valid ? amounts.Loss : float.NaN, 1e-4) ? $"loss {actual.Loss[i]:R} vs {amounts.Loss:R}"
                : !Close(actual.Margin[i], amounts.Valid ? amounts.Margin : float.NaN, 1e-4) ? $"margin {actual.Margin[i]:R} vs {amounts.Margin:R}"
                : !Close(actual.ExpectedProfit[i], amounts.ExpectedProfit(actual.Pd[i]), 1e-4) ? $"expected profit {actual.ExpectedProfit[i]:R} vs {amounts.ExpectedProfit(actual.Pd[i]):R}"
                : !Close(actual.Points[i], points.Points(actual.Pd[i]), 1e-4) ? $"points {actual.Points[i]:R} vs {points.Points(actual.Pd[i]):R}"
                : null;
            if (problem is not null)
            {
                throw new OnnxExportException($"The graph's decision outputs do not match the trainer's economics on row {i}: {problem}.");
            }
        }
    }

    /// <summary>Checks the file's interface against the spec's inputs (exactly those, named and typed as declared) and its PDs against ML.NET's.</summary>
    public static void Verify(byte[] onnx, FittedModel model, IReadOnlyList<CreditRecord> rows, double threshold)
    {
        using var scorer = new OnnxScorer(onnx);
        var problems = new List<string>();
        var spec = model.Spec;
        foreach (var f in spec.Inputs)
        {
            if (!scorer.Inputs.TryGetValue(f.Name, out var input))
            {
                problems.Add($"input '{f.Name}' is missing");
                continue;
            }

            var expected = f.IsCategory ? typeof(string) : typeof(float);
            if (input.ElementType != expected || input.Dimensions.Length != 2 || input.Dimensions[1] != 1)
            {
                problems.Add($"input '{f.Name}' is {input.ElementType.Name}[{string.Join(",", input.Dimensions)}], expected {expected.Name}[N,1]");
            }
        }

        problems.AddRange(scorer.Inputs.Keys.Where(k => !spec.Inputs.Any(f => f.Name == k)).Select(k => $"unexpected input '{k}'"));
        if (!scorer.Outputs.TryGetValue(ModelMetadataKeys.ProbabilityOutput, out var output) || output.ElementType != typeof(float))
        {
            problems.Add($"float output '{ModelMetadataKeys.ProbabilityOutput}' is missing (outputs: {string.Join(", ", scorer.Outputs.Keys)})");
        }

        if (problems.Count > 0)
        {
            throw new OnnxExportException("The exported graph does not match the spec's inputs: " + string.Join("; ", problems) + ".");
        }

        var expectedPd = model.Predict(rows);
        var actualPd = scorer.Score(spec, rows);
        if (scorer.Outputs.ContainsKey(ModelMetadataKeys.ThresholdOutput))
        {
            VerifyDecisions(scorer.ScoreDecisions(spec, rows), Money.Of(spec, rows), expectedPd, threshold, spec.Costs.Points ?? PointsScale.Default);
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var delta = Math.Abs(expectedPd[i] - actualPd[i]);
            if (!(delta <= Tolerance) || Decisions.Rejects(expectedPd[i], threshold) != Decisions.Rejects(actualPd[i], threshold))
            {
                throw new OnnxExportException(
                    $"ONNX Runtime does not reproduce ML.NET on row {i}: PD {actualPd[i]:R} vs {expectedPd[i]:R} (|Δ| {delta:E2}, tolerance {Tolerance:E0}, threshold {threshold:R}).");
            }
        }
    }
}
