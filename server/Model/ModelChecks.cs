using CreditRisk.Contracts;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CreditRisk.Server.Model;

/// <summary>
/// Checks a model must pass to be served, as small pure functions so they read (and test) on their own. Each returns
/// the problem in words, or null. A model that passed them all once can still produce a bad number for some input:
/// <see cref="CheckScores"/> runs on every ONNX Runtime result.
/// </summary>
public static class ModelChecks
{
    /// <summary>Below this a threshold rejects everybody in practice (1e-300 was served); the same margin below 1.</summary>
    public const double MinThreshold = 1e-6;

    /// <summary>Costs are relative weights (the shipped ones are 5 and 1); beyond this they are a typo, not a policy.</summary>
    public const double MaxCostWeight = 1e6;

    /// <summary>
    /// The output holds one P(bad) per row: shape [N, 1] (N symbolic or -1). An [N, 2] output (e.g. Concat(1 − p, p))
    /// passed every other check and served the wrong column, and in a batch row 1 got row 0's second value.
    /// </summary>
    public static string? CheckOutputShape(string name, NodeMetadata output)
    {
        var dims = output.Dimensions;
        return dims.Length == 2 && dims[1] == 1 && dims[0] is -1 or > 0
            ? null
            : $"output '{name}' must have shape [N, 1], not [{string.Join(", ", dims.Select((d, i) => d < 0 ? (output.SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } s ? s : "?") : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
    }

    /// <summary>A directory as Model:Path was reported as "file not found", which sends people looking in the wrong place.</summary>
    public static void RefuseDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ModelLoadException(path, "is a directory; Model:Path must name the .onnx file");
        }
    }

    /// <summary>
    /// The sidecar <c>model.json</c> beside the model is for people inspecting a deployment; the server never reads
    /// the card from it. One that describes another file misleads them, so it is named in a warning at start.
    /// </summary>
    /// <returns>The problem, or null when there is no sidecar or it names this file's version.</returns>
    public static string? CheckSidecar(string modelPath, string version)
    {
        var sidecar = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(modelPath) ?? ".", "model.json");
        if (!File.Exists(sidecar))
        {
            return null;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(sidecar));
            var named = json.RootElement.TryGetProperty("modelVersion", out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;
            return named == version ? null : $"sidecar {sidecar} describes model {named ?? "(no modelVersion)"}, not the served {version}; ignore it";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
        {
            return $"sidecar {sidecar} is not readable JSON ({e.GetType().Name}); ignore it";
        }
    }

    /// <summary>Golden rows a model is compared with at start: those that are valid REST input (training rows and edges).</summary>
    private static readonly HashSet<string> GoldenKinds = new(StringComparer.Ordinal) { "data", "edge" };

    /// <summary>
    /// When the trainer's <c>golden.json</c> lies beside the model, warms up over all its REST-valid rows in one run
    /// and compares each PD with the golden one: a model and card that pass every other check but score differently
    /// from what the trainer recorded (a wrong file, a wrong export) do not serve. No golden file: nothing to compare.
    /// </summary>
    /// <returns>The number of rows compared (0 when there is no golden file).</returns>
    public static int CheckGolden(CreditModel model)
    {
        var golden = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(model.Path) ?? ".", "golden.json");
        if (!File.Exists(golden))
        {
            return 0;
        }

        List<(int Row, ApplicantRow Input, double Pd)> rows = [];
        double tolerance;
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(golden));
            tolerance = json.RootElement.GetProperty("tolerance").GetDouble();
            var index = 0;
            foreach (var row in json.RootElement.GetProperty("rows").EnumerateArray())
            {
                if (GoldenKinds.Contains(row.GetProperty("kind").GetString() ?? ""))
                {
                    var values = row.GetProperty("input").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
                    var input = model.ReadRow($"golden row {index}", values);
                    rows.Add((index, input, row.GetProperty("pd").GetDouble()));
                }

                index++;
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new ModelLoadException(model.Path, $"golden file {golden} is not readable: {e.Message}", e);
        }

        var pds = new float[rows.Count];
        model.Predict([.. rows.Select(r => new ModelRow(r.Input))], pds);
        for (var i = 0; i < rows.Count; i++)
        {
            if (Math.Abs(pds[i] - rows[i].Pd) > tolerance)
            {
                throw new ModelLoadException(model.Path,
                    $"golden row {rows[i].Row} of {golden} scores {pds[i]}, the trainer recorded {rows[i].Pd} (tolerance {tolerance})");
            }
        }

        return rows.Count;
    }

    /// <summary>The card's values that drive decisions and costs must make sense, and nothing served may be null.</summary>
    public static string? CheckCard(ModelCard card)
    {
        if (string.IsNullOrWhiteSpace(card.Learner))
        {
            return "model card has no learner";
        }

        if (card.ReferenceApplicant is null)
        {
            return "model card has no reference applicant";
        }

        if (card.Hyperparameters is null || card.NestedCv is null || card.TrainingDataSha256 is null || card.ExcludedFeatures is null)
        {
            return "model card is missing hyperparameters, nestedCv, trainingDataSha256 or excludedFeatures";
        }

        if (!(card.Threshold >= MinThreshold && card.Threshold <= 1 - MinThreshold))
        {
            return $"decision threshold {card.Threshold} is not within [{MinThreshold}, {1 - MinThreshold}]";
        }

        foreach (var (name, cost) in new[] { ("costFalseNegative", card.CostFalseNegative), ("costFalsePositive", card.CostFalsePositive) })
        {
            if (!(double.IsFinite(cost) && cost > 0 && cost <= MaxCostWeight))
            {
                return $"cost weight {name} {cost} is not within (0, {MaxCostWeight}]";
            }
        }

        // Reference values are checked against the card's own spec when the model reads them (CreditModel.CheckedRow).
        return null;
    }

    /// <summary>
    /// The card's <see cref="ModelCard.Economics"/> and the graph's outputs agree: every output the card lists exists,
    /// [N, 1], bool for <see cref="ModelMetadataKeys.ApproveOutput"/> and float otherwise; the basis is the spec's
    /// (<c>loan</c> exactly when it has <c>costs.loan</c>, in its currency); a graph with decision outputs has a card
    /// that records them.
    /// </summary>
    public static string? CheckEconomicsOutputs(ModelCard card, IReadOnlyDictionary<string, NodeMetadata> outputs)
    {
        if (card.Economics is not { } economics)
        {
            return outputs.ContainsKey(ModelMetadataKeys.ThresholdOutput)
                ? $"the graph has decision outputs ({ModelMetadataKeys.ThresholdOutput}, …) but the model card records no economics"
                : null;
        }

        var loan = card.Dataset.Costs.Loan;
        var basis = loan is null ? DecisionEconomics.Constant : DecisionEconomics.Loan;
        if (economics.Basis != basis || economics.Currency != loan?.Currency)
        {
            return $"the card's economics ({economics.Basis}, {economics.Currency ?? "no currency"}) disagree with its spec's costs ({basis}, {loan?.Currency ?? "no currency"})";
        }

        foreach (var name in ModelMetadataKeys.Outputs)
        {
            if (!economics.Outputs.Contains(name))
            {
                return $"the card's economics do not list the output '{name}'";
            }

            if (!outputs.TryGetValue(name, out var output))
            {
                return $"the card's economics list the output '{name}', which the graph does not have (outputs: {string.Join(", ", outputs.Keys)})";
            }

            var type = name == ModelMetadataKeys.ApproveOutput ? TensorElementType.Bool : TensorElementType.Float;
            if (!output.IsTensor || output.ElementDataType != type)
            {
                return $"output '{name}' must be a {type.ToString().ToLowerInvariant()} tensor";
            }

            if (CheckOutputShape(name, output) is { } shape)
            {
                return shape;
            }
        }

        return null;
    }

    /// <summary>
    /// On a few applicants, the graph's threshold, loss, margin, expected profit and decision are what the card's
    /// spec computes (<see cref="LoanEconomics"/>; the card's threshold and cost weights with constant costs): a graph
    /// built for other economics than its card states is refused, in one line.
    /// </summary>
    public static string? CheckEconomicsValues(ModelCard card, IReadOnlyList<ApplicantRow> rows, EconomicsProbe probe)
    {
        var spec = card.Dataset;
        static bool Close(float actual, float expected, double relative) =>
            (float.IsNaN(actual) && float.IsNaN(expected)) || Math.Abs(actual - expected) <= relative * Math.Max(1, Math.Abs(expected));

        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var amounts = spec.Costs.Loan is { } loan
                ? LoanEconomics.Amounts(loan, name => row.Numbers[spec.IndexOf(spec.Find(name)!)], name => row.Categories[spec.IndexOf(spec.Find(name)!)])
                : new LoanAmounts(true, (float)card.CostFalseNegative, (float)card.CostFalsePositive);
            var threshold = spec.Costs.Loan is null ? (float)card.Threshold : amounts.Threshold((float)card.Threshold);
            var expectedLoss = amounts.Valid ? amounts.Loss : float.NaN;
            var expectedMargin = amounts.Valid ? amounts.Margin : float.NaN;
            var what = i == 0 ? "the example applicant" : $"applicant {i}";
            var problem =
                !Close(probe.Threshold[i], threshold, 1e-5) ? $"threshold {probe.Threshold[i]} where the card's economics give {threshold}"
                : !Close(probe.Loss[i], expectedLoss, 1e-4) ? $"loss {probe.Loss[i]} where the card's economics give {expectedLoss}"
                : !Close(probe.Margin[i], expectedMargin, 1e-4) ? $"margin {probe.Margin[i]} where the card's economics give {expectedMargin}"
                : !Close(probe.ExpectedProfit[i], amounts.ExpectedProfit(probe.Pd[i]), 1e-4) ? $"expected profit {probe.ExpectedProfit[i]} where the card's economics give {amounts.ExpectedProfit(probe.Pd[i])}"
                : probe.Approve[i] == Decisions.Rejects(probe.Pd[i], probe.Threshold[i]) ? $"decision {(probe.Approve[i] ? "approve" : "reject")} at PD {probe.Pd[i]} and threshold {probe.Threshold[i]}"
                : null;
            if (problem is not null)
            {
                return $"the graph's economics disagree with the model card: {what} gets {problem}";
            }
        }

        return null;
    }

    /// <summary>
    /// Every run: one value per row, each a probability. A PD of 4.8 was served as a 200 with a negative expected cost,
    /// and an infinite one became a 500 that was still counted as a reject. Throws instead of returning a number.
    /// </summary>
    /// <summary>A decision output holds one value per row, like the PD.</summary>
    public static void CheckDecisionOutput(ReadOnlySpan<long> shape, int rows)
    {
        if (shape.Length != 2 || shape[0] != rows || shape[1] != 1)
        {
            throw new ModelOutputException($"the model returned a decision output of shape [{string.Join(", ", shape.ToArray())}] for {rows} rows, not [{rows}, 1]");
        }
    }

    public static void CheckScores(ReadOnlySpan<long> shape, ReadOnlySpan<float> probabilities, int rows)
    {
        if (shape.Length != 2 || shape[0] != rows || shape[1] != 1)
        {
            throw new ModelOutputException($"the model returned shape [{string.Join(", ", shape.ToArray())}] for {rows} rows, not [{rows}, 1]");
        }

        foreach (var p in probabilities)
        {
            if (!float.IsFinite(p) || p is < 0 or > 1)
            {
                throw new ModelOutputException($"the model returned {p}, not a probability");
            }
        }
    }
}

/// <summary>The graph's decision outputs for a few applicants, by row.</summary>
public sealed record EconomicsProbe(float[] Pd, float[] Threshold, bool[] Approve, float[] Loss, float[] Margin, float[] ExpectedProfit);

/// <summary>A model run produced something that is not one probability per row: the request cannot be answered (503).</summary>
public sealed class ModelOutputException(string message, string model = "", Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The served model whose run it was (its name), once the model has named it; "" before.</summary>
    public string Model { get; } = model;
}
