using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;

namespace CreditRisk.Trainer;

/// <summary>A row of the golden file and why it is there.</summary>
public sealed record GoldenRow(string Kind, CreditRecord Record);

/// <summary>
/// The cross-runtime reference: every training row plus generated edge rows, with ML.NET's PD and decision.
/// Kinds: <c>data</c> (a training row), <c>edge</c> (whole numbers within the contract's ranges: range ends and
/// whole-valued split points; valid REST requests), <c>split</c> (a numeric exactly at or one float ulp beside a
/// tree split threshold; ONNX only, the REST API takes whole numbers), <c>unseen</c> (a category string outside
/// the contract; ONNX only).
/// </summary>
public static class Golden
{
    public const string Unseen = "notInTheSchema";
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private const int MaxThresholdsPerFeature = 20;

    public static IReadOnlyList<GoldenRow> Rows(IReadOnlyList<CreditRecord> data, IReadOnlyDictionary<string, float[]> splits)
    {
        var rows = data.Select(r => new GoldenRow("data", r)).ToList();
        var bases = new[] { data[0], data[1] };
        foreach (var b in bases)
        {
            foreach (var f in FeatureSchema.Numeric)
            {
                rows.Add(new GoldenRow("edge", b.With(f.Name, number: f.Min)));
                rows.Add(new GoldenRow("edge", b.With(f.Name, number: f.Max)));
            }

            foreach (var f in FeatureSchema.Categorical)
            {
                rows.Add(new GoldenRow("unseen", b.With(f.Name, Unseen)));
                rows.Add(new GoldenRow("unseen", b.With(f.Name, string.Empty)));
            }
        }

        foreach (var (name, thresholds) in splits.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var f = FeatureSchema.Get(name);
            var picked = thresholds.Length <= MaxThresholdsPerFeature
                ? thresholds
                : Enumerable.Range(0, MaxThresholdsPerFeature)
                    .Select(i => thresholds[i * (thresholds.Length - 1) / (MaxThresholdsPerFeature - 1)]).Distinct().ToArray();
            foreach (var t in picked)
            {
                foreach (var v in new[] { MathF.BitDecrement(t), t, MathF.BitIncrement(t) })
                {
                    var whole = v == MathF.Round(v) && v >= f.Min && v <= f.Max;
                    rows.AddRange(bases.Select(b => new GoldenRow(whole ? "edge" : "split", b.With(name, number: v))));
                }
            }
        }

        return rows;
    }

    public static string ToJson(IReadOnlyList<GoldenRow> rows, IReadOnlyList<float> pd, double threshold)
    {
        var array = new JsonArray();
        for (var i = 0; i < rows.Count; i++)
        {
            var input = new JsonObject();
            foreach (var f in FeatureSchema.All)
            {
                input[f.Name] = f.IsCategorical
                    ? JsonValue.Create(rows[i].Record.Categories[f.Index - 1])
                    : JsonValue.Create(rows[i].Record.Numbers[f.Index - 1]);
            }

            array.Add(new JsonObject
            {
                ["kind"] = rows[i].Kind,
                ["input"] = input,
                ["pd"] = pd[i],
                ["decision"] = CostMatrix.Rejects(pd[i], threshold) ? Decisions.Reject : Decisions.Approve,
            });
        }

        // One row per line: diffable, and small enough to read in a test or a browser.
        var header = new JsonObject
        {
            ["threshold"] = threshold,
            ["rule"] = ModelFile.DecisionRule,
            ["tolerance"] = OnnxExport.Tolerance,
            ["probabilityOutput"] = ModelMetadataKeys.ProbabilityOutput,
            ["kinds"] = "data: training row; edge: whole numbers within the contract (valid REST input); " +
                "split: a numeric at or 1 float ulp beside a tree split (ONNX only); unseen: category outside the contract (ONNX only)",
        }.ToJsonString(Compact);
        var text = new System.Text.StringBuilder();
        text.Append(header[..^1]).Append(",\"rows\":[\n");
        for (var i = 0; i < array.Count; i++)
        {
            text.Append(array[i]!.ToJsonString(Compact)).Append(i + 1 < array.Count ? ",\n" : "\n");
        }

        return text.Append("]}\n").ToString();
    }

    /// <summary>Reads the golden file back: (kind, record, pd, decision) per row, and the threshold.</summary>
    public static (double Threshold, IReadOnlyList<(GoldenRow Row, float Pd, string Decision)> Rows) Read(string json)
    {
        var root = JsonNode.Parse(json)!;
        var rows = new List<(GoldenRow, float, string)>();
        foreach (var node in root["rows"]!.AsArray())
        {
            var input = node!["input"]!;
            var record = new CreditRecord(
                FeatureSchema.All.Select(f => f.IsCategorical ? input[f.Name]!.GetValue<string>() : null).ToArray(),
                FeatureSchema.All.Select(f => f.IsCategorical ? 0f : input[f.Name]!.GetValue<float>()).ToArray(),
                false);
            rows.Add((new GoldenRow(node["kind"]!.GetValue<string>(), record), node["pd"]!.GetValue<float>(), node["decision"]!.GetValue<string>()));
        }

        return (root["threshold"]!.GetValue<double>(), rows);
    }
}
