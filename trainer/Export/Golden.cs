using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;

namespace CreditRisk.Trainer.Export;

/// <summary>A row of the golden file and why it is there.</summary>
public sealed record GoldenRow(string Kind, CreditRecord Record);

/// <summary>
/// The cross-runtime reference: every training row plus generated edge rows, with ML.NET's PD and decision.
/// Kinds: <c>data</c> (a training row), <c>edge</c> (values the spec accepts: range ends, or the observed ones
/// where the spec gives none, and split points that are valid values; valid REST requests), <c>split</c> (a number
/// exactly at or one float ulp beside a tree split threshold that the spec does not accept, e.g. not whole for an
/// integer; ONNX only), <c>missing</c> (one attribute that may be missing left out: null in JSON, "" or NaN in ONNX;
/// valid REST requests), <c>unseen</c> (a category string outside the spec; ONNX only).
/// </summary>
public static class Golden
{
    public const string Unseen = "notInTheSchema";
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private const int MaxThresholdsPerFeature = 20;

    public static IReadOnlyList<GoldenRow> Rows(DatasetSpec spec, IReadOnlyList<CreditRecord> data, IReadOnlyDictionary<string, float[]> splits)
    {
        var rows = data.Select(r => new GoldenRow("data", r)).ToList();
        var bases = new[] { data[0], data[1] };
        var numbers = spec.Inputs.Where(f => f.IsNumber).ToArray();
        var categories = spec.Inputs.Where(f => f.IsCategory).ToArray();
        foreach (var b in bases)
        {
            foreach (var f in numbers)
            {
                var i = spec.IndexOf(f);
                var observed = data.Select(r => r.Numbers[i]).Where(float.IsFinite).ToArray();
                rows.Add(new GoldenRow("edge", b.With(i, number: (float)(f.Min ?? observed.Min()))));
                rows.Add(new GoldenRow("edge", b.With(i, number: (float)(f.Max ?? observed.Max()))));
            }

            foreach (var f in categories)
            {
                var i = spec.IndexOf(f);
                rows.Add(new GoldenRow("unseen", b.With(i, Unseen)));
                rows.Add(new GoldenRow("unseen", b.With(i, string.Empty)));
            }

            foreach (var f in spec.Inputs.Where(f => f.MayBeMissing))
            {
                rows.Add(new GoldenRow("missing", b.With(spec.IndexOf(f), null, float.NaN)));
            }
        }

        foreach (var (name, thresholds) in splits.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var f = spec.Find(name)!;
            var position = spec.IndexOf(f);
            var picked = thresholds.Length <= MaxThresholdsPerFeature
                ? thresholds
                : Enumerable.Range(0, MaxThresholdsPerFeature)
                    .Select(i => thresholds[i * (thresholds.Length - 1) / (MaxThresholdsPerFeature - 1)]).Distinct().ToArray();
            foreach (var t in picked)
            {
                foreach (var v in new[] { MathF.BitDecrement(t), t, MathF.BitIncrement(t) })
                {
                    rows.AddRange(bases.Select(b => new GoldenRow(f.Accepts(v) ? "edge" : "split", b.With(position, number: v))));
                }
            }
        }

        return rows;
    }

    public static string ToJson(DatasetSpec spec, IReadOnlyList<GoldenRow> rows, IReadOnlyList<float> pd, double threshold)
    {
        var array = new JsonArray();
        for (var i = 0; i < rows.Count; i++)
        {
            var input = new JsonObject();
            foreach (var f in spec.Inputs)
            {
                var position = spec.IndexOf(f);
                var number = rows[i].Record.Numbers[position];
                input[f.Name] = f.IsCategory
                    ? JsonValue.Create(rows[i].Record.Categories[position])
                    : float.IsNaN(number) ? null : JsonValue.Create(number);
            }

            array.Add(new JsonObject
            {
                ["kind"] = rows[i].Kind,
                ["input"] = input,
                ["pd"] = pd[i],
                ["decision"] = Decisions.Rejects(pd[i], threshold) ? Decisions.Reject : Decisions.Approve,
            });
        }

        // One row per line: diffable, and small enough to read in a test or a browser.
        var header = new JsonObject
        {
            ["threshold"] = threshold,
            ["rule"] = ModelFile.DecisionRule,
            ["tolerance"] = OnnxExport.Tolerance,
            ["probabilityOutput"] = ModelMetadataKeys.ProbabilityOutput,
            ["kinds"] = "data: training row; edge: values the spec accepts (valid REST input); " +
                "split: a number at or 1 float ulp beside a tree split that the spec does not accept (ONNX only); " +
                "missing: one attribute that may be missing is null (feed \"\" or NaN to ONNX; valid REST input); unseen: category outside the spec (ONNX only)",
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
    public static (double Threshold, IReadOnlyList<(GoldenRow Row, float Pd, string Decision)> Rows) Read(DatasetSpec spec, string json)
    {
        var root = JsonNode.Parse(json)!;
        var rows = new List<(GoldenRow, float, string)>();
        foreach (var node in root["rows"]!.AsArray())
        {
            var input = node!["input"]!;
            var record = new CreditRecord(
                spec.Features.Select(f => f.IsCategory && f.Role == FeatureRole.Feature ? input[f.Name]?.GetValue<string>() : null).ToArray(),
                spec.Features.Select(f => f.IsNumber && f.Role == FeatureRole.Feature ? input[f.Name]?.GetValue<float>() ?? float.NaN : 0f).ToArray(),
                false);
            rows.Add((new GoldenRow(node["kind"]!.GetValue<string>(), record), node["pd"]!.GetValue<float>(), node["decision"]!.GetValue<string>()));
        }

        return (root["threshold"]!.GetValue<double>(), rows);
    }
}
