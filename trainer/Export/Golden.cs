using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Selection;
using CreditRisk.Trainer.Data;

namespace CreditRisk.Trainer.Export;

/// <summary>A row of the golden file and why it is there.</summary>
public sealed record GoldenRow(string Kind, CreditRecord Record);

/// <summary>
/// The cross-runtime reference: the training rows (every one up to <see cref="ReferenceValues.MaxRows"/>, evenly spaced
/// above it, so a million-loan book does not write a million golden rows: issue 31) plus generated edge rows, with
/// ML.NET's PD and decision.
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
        var rows = ReferenceValues.Sample(data).Select(r => new GoldenRow("data", r)).ToList();
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

    /// <param name="threshold">The constant threshold: the card's, and every applicant's fallback.</param>
    /// <param name="money">Each row's loss and margin: its threshold, decision, expected profit and points are the
    /// graph's decision outputs (<see cref="ModelMetadataKeys.Outputs"/>) as the trainer computes them from ML.NET's PD.</param>
    public static string ToJson(DatasetSpec spec, IReadOnlyList<GoldenRow> rows, IReadOnlyList<float> pd, double threshold, Money money)
    {
        static JsonNode? Amount(float v) => float.IsNaN(v) ? null : JsonValue.Create(v);
        var points = spec.Costs.Points ?? PointsScale.Default;
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

            var rowThreshold = money.Threshold(i, threshold);
            var amounts = money.Amounts[i];
            array.Add(new JsonObject
            {
                ["kind"] = rows[i].Kind,
                ["input"] = input,
                ["pd"] = pd[i],
                ["decision"] = Decisions.Rejects(pd[i], rowThreshold) ? Decisions.Reject : Decisions.Approve,
                ["threshold"] = rowThreshold,
                ["expectedProfit"] = Amount(amounts.Valid ? amounts.ExpectedProfit(pd[i]) : float.NaN),
                ["loss"] = Amount(amounts.Valid ? amounts.Loss : float.NaN),
                ["margin"] = Amount(amounts.Valid ? amounts.Margin : float.NaN),
                ["points"] = points.Points(pd[i]),
            });
        }

        // One row per line: diffable, and small enough to read in a test or a browser.
        var header = new JsonObject
        {
            ["threshold"] = threshold,
            ["rule"] = ModelFile.DecisionRule,
            ["tolerance"] = OnnxExport.Tolerance,
            ["probabilityOutput"] = ModelMetadataKeys.ProbabilityOutput,
            ["outputs"] = new JsonObject
            {
                ["threshold"] = ModelMetadataKeys.ThresholdOutput,
                ["approve"] = ModelMetadataKeys.ApproveOutput,
                ["expectedProfit"] = ModelMetadataKeys.ExpectedProfitOutput,
                ["loss"] = ModelMetadataKeys.LossOutput,
                ["margin"] = ModelMetadataKeys.MarginOutput,
                ["points"] = ModelMetadataKeys.PointsOutput,
            },
            ["economics"] = money.LoanLevel ? DecisionEconomics.Loan : DecisionEconomics.Constant,
            ["currency"] = spec.Costs.Loan?.Currency,
            ["amountTolerance"] = "threshold: |Δ| <= tolerance; expectedProfit: |Δ| <= tolerance x (|loss| + |margin|) + 1e-4 x max(1, |expectedProfit|); null amounts: the economics cannot be computed (the threshold is then the constant one)",
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

    /// <summary>Reads the golden file back: (kind, record, pd, decision, the row's threshold) per row, and the constant threshold.</summary>
    public static (double Threshold, IReadOnlyList<(GoldenRow Row, float Pd, string Decision, double RowThreshold)> Rows) Read(DatasetSpec spec, string json)
    {
        var root = JsonNode.Parse(json)!;
        var constant = root["threshold"]!.GetValue<double>();
        var rows = new List<(GoldenRow, float, string, double)>();
        foreach (var node in root["rows"]!.AsArray())
        {
            var input = node!["input"]!;
            var record = new CreditRecord(
                spec.Features.Select(f => f.IsCategory && f.Role == FeatureRole.Feature ? input[f.Name]?.GetValue<string>() : null).ToArray(),
                spec.Features.Select(f => f.IsNumber && f.Role == FeatureRole.Feature ? input[f.Name]?.GetValue<float>() ?? float.NaN : 0f).ToArray(),
                false);
            rows.Add((new GoldenRow(node["kind"]!.GetValue<string>(), record), node["pd"]!.GetValue<float>(), node["decision"]!.GetValue<string>(),
                node["threshold"]?.GetValue<double>() ?? constant));
        }

        return (constant, rows);
    }
}
