using Google.Protobuf;
using Onnx;

namespace CreditRisk.Trainer.Export;

/// <summary>
/// Removes the round-trip casts ML.NET's converter puts between each categorical field's <c>LabelEncoder</c> and its
/// <c>OneHotEncoder</c>: int64 → uint32 (ML.NET's key type) → int64. The label encoder's codes are small non-negative
/// integers, so the round trip is the identity, but each cast is a kernel run per request: 26 of the model's kernels,
/// dispatch overhead that dominates a one-row score. Only that proven-exact pattern is touched.
/// </summary>
public static class OnnxCasts
{
    private const long Int64Type = (long)TensorProto.Types.DataType.Int64;
    private const long UInt32Type = (long)TensorProto.Types.DataType.Uint32;

    public static byte[] RemoveRoundTrips(byte[] bytes)
    {
        var model = ModelProto.Parser.ParseFrom(bytes);
        var graph = model.Graph;
        var producer = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producer[output] = node;
            }
        }

        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var replace = new Dictionary<string, string>(StringComparer.Ordinal);
        var removed = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var toInt64 in graph.Node.Where(n => IsCast(n, Int64Type)))
        {
            if (producer.GetValueOrDefault(toInt64.Input[0]) is not { } toUInt32 || !IsCast(toUInt32, UInt32Type)
                || producer.GetValueOrDefault(toUInt32.Input[0]) is not { OpType: "LabelEncoder" } encoder
                || !CodesFitUInt32(encoder) || graphOutputs.Contains(toInt64.Output[0]))
            {
                continue;
            }

            replace[toInt64.Output[0]] = encoder.Output[0];
            removed.Add(toInt64);
        }

        if (removed.Count == 0)
        {
            return bytes;
        }

        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (replace.TryGetValue(node.Input[i], out var source))
                {
                    node.Input[i] = source;
                }
            }
        }

        // A uint32 cast left without consumers goes too (it may still feed something else, then it stays).
        var consumed = graph.Node.Where(n => !removed.Contains(n)).SelectMany(n => n.Input).Concat(graphOutputs).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Node.Where(n => IsCast(n, UInt32Type) && !consumed.Contains(n.Output[0])))
        {
            removed.Add(node);
        }

        var kept = graph.Node.Where(n => !removed.Contains(n)).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        var gone = removed.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        var annotations = graph.ValueInfo.Where(v => !gone.Contains(v.Name)).ToList();
        graph.ValueInfo.Clear();
        graph.ValueInfo.AddRange(annotations);
        return model.ToByteArray();
    }

    private static bool IsCast(NodeProto node, long to) =>
        node.OpType == "Cast" && node.Domain.Length == 0 && node.Input.Count == 1 && node.Output.Count == 1
        && node.Attribute.SingleOrDefault(a => a.Name == "to")?.I == to;

    /// <summary>Every code the encoder can produce (its values and its default) survives a uint32 round trip.</summary>
    private static bool CodesFitUInt32(NodeProto encoder)
    {
        var values = encoder.Attribute.SingleOrDefault(a => a.Name == "values_int64s")?.Ints;
        var fallback = encoder.Attribute.SingleOrDefault(a => a.Name == "default_int64")?.I ?? -1;
        return values is { Count: > 0 } && values.Append(fallback).All(v => v is >= 0 and <= uint.MaxValue);
    }
}
