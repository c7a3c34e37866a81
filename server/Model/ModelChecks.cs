using CreditRisk.Contracts;
using Microsoft.ML.OnnxRuntime;

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
    /// Every run: one value per row, each a probability. A PD of 4.8 was served as a 200 with a negative expected cost,
    /// and an infinite one became a 500 that was still counted as a reject. Throws instead of returning a number.
    /// </summary>
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

/// <summary>A model run produced something that is not one probability per row: the request cannot be answered (503).</summary>
public sealed class ModelOutputException(string message) : Exception(message);
