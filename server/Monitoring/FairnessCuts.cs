using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// The cut points of the report's fairness groups for the protected numbers (age: its training quartiles), read from the
/// trainer's <c>training-summary.json</c> beside the model (<c>fairnessCuts</c>). The card does not carry them, and adding
/// them would change the model's version, so the sidecar is read, and trusted only when it names the card's training data
/// (SHA-256) and seed: the same run. Without it monitoring groups a protected number by its training bins instead, and
/// says so, since those groups cannot be set beside the report's.
/// </summary>
public static class FairnessCuts
{
    public const string FileName = "training-summary.json";

    /// <summary>The cuts per protected number, or an empty map with the reason (no sidecar, another run's, no cuts in it).</summary>
    public static (IReadOnlyDictionary<string, double[]> Cuts, string? Missing) Read(string modelPath, ModelCard card)
    {
        var empty = new Dictionary<string, double[]>(StringComparer.Ordinal);
        if (!card.Dataset.Protected.Any(f => f.IsNumber))
        {
            return (empty, null);
        }

        var path = Path.Combine(Path.GetDirectoryName(modelPath) ?? ".", FileName);
        if (!File.Exists(path))
        {
            return (empty, $"{FileName} is not beside the model");
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var json = JsonDocument.Parse(stream);
            var root = json.RootElement;
            if (root.GetProperty("trainingDataSha256").GetString() != card.TrainingDataSha256 || root.GetProperty("seed").GetInt32() != card.Seed)
            {
                return (empty, $"{FileName} is not the training run of this model card");
            }

            if (!root.TryGetProperty("fairnessCuts", out var cuts) || cuts.ValueKind != JsonValueKind.Object)
            {
                return (empty, $"{FileName} has no fairnessCuts (written by an older trainer)");
            }

            foreach (var attribute in cuts.EnumerateObject())
            {
                double[] points = [.. attribute.Value.EnumerateArray().Select(v => v.GetDouble())];
                if (points.Length == 0 || points.Zip(points.Skip(1)).Any(p => !(p.First < p.Second)))
                {
                    return (new Dictionary<string, double[]>(StringComparer.Ordinal), $"{FileName}: fairnessCuts.{attribute.Name} must be ascending numbers");
                }

                empty[attribute.Name] = points;
            }

            return (empty, null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            return (new Dictionary<string, double[]>(StringComparer.Ordinal), $"{FileName} cannot be read: {e.Message}");
        }
    }
}
