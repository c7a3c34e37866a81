using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Model;

/// <summary>
/// The trainer's <c>training-summary.json</c> beside a model file: facts about the training data that the card does not
/// carry (adding them to the card would change the model's version): the fairness groups' cut points and the numeric
/// inputs' training ranges. Trusted only when it names the card's training data (SHA-256) and seed: the same run.
/// </summary>
public static class TrainingSummaryFile
{
    public const string FileName = "training-summary.json";

    /// <summary>The summary's root when it is this card's run, else null with the reason.</summary>
    public static (JsonElement? Root, string? Missing) Read(string modelPath, ModelCard card)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(modelPath) ?? ".", FileName);
        if (!File.Exists(path))
        {
            return (null, $"{FileName} is not beside the model");
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var json = JsonDocument.Parse(stream);
            var root = json.RootElement;
            return root.GetProperty("trainingDataSha256").GetString() == card.TrainingDataSha256 && root.GetProperty("seed").GetInt32() == card.Seed
                ? (root.Clone(), null)
                : (null, $"{FileName} is not the training run of this model card");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            return (null, $"{FileName} cannot be read: {e.Message}");
        }
    }

    /// <summary>A map of name → ascending numbers (<c>fairnessCuts</c>, <c>trainingRanges</c>), or the reason it is unusable.</summary>
    public static (Dictionary<string, double[]> Values, string? Missing) NumbersOf(JsonElement root, string member, string olderTrainer)
    {
        var values = new Dictionary<string, double[]>(StringComparer.Ordinal);
        if (!root.TryGetProperty(member, out var map) || map.ValueKind != JsonValueKind.Object)
        {
            return (values, $"{FileName} has no {member} ({olderTrainer})");
        }

        try
        {
            foreach (var entry in map.EnumerateObject())
            {
                double[] points = [.. entry.Value.EnumerateArray().Select(v => v.GetDouble())];
                if (points.Length == 0 || points.Zip(points.Skip(1)).Any(p => !(p.First <= p.Second)) || (points.Length > 2 && points.Zip(points.Skip(1)).Any(p => p.First == p.Second)))
                {
                    return ([], $"{FileName}: {member}.{entry.Name} must be ascending numbers");
                }

                values[entry.Name] = points;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return ([], $"{FileName}: {member} cannot be read: {e.Message}");
        }

        return (values, null);
    }
}
