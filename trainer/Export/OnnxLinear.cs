using Google.Protobuf;
using Onnx;

namespace CreditRisk.Trainer.Export;

/// <summary>
/// Makes ML.NET's <c>LinearRegressor</c> nodes give the same result for a row whatever the batch. ONNX Runtime runs a
/// one-row LinearRegressor as a matrix-vector product and a larger batch as a matrix product; the two sum the terms
/// in different orders, so an applicant scored alone could differ in the last float bit (seen: 1.2e-7) from the same
/// applicant in a batch, and a PD that close to the threshold could even flip its decision. Appending one zero row
/// before the node (and slicing it off after) keeps every call on the matrix-product path, which gives identical
/// results for every batch size from 2 up. The export's parity check against ML.NET still applies.
/// </summary>
public static class OnnxLinear
{
    public static byte[] BatchInvariant(byte[] bytes)
    {
        var model = ModelProto.Parser.ParseFrom(bytes);
        var graph = model.Graph;
        if (graph.Node.All(n => n.OpType != "LinearRegressor"))
        {
            return bytes;
        }

        var nodes = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            if (node.OpType != "LinearRegressor")
            {
                nodes.Add(node);
                continue;
            }

            var coefficients = node.Attribute.SingleOrDefault(a => a.Name == "coefficients")?.Floats.Count ?? 0;
            var targets = node.Attribute.SingleOrDefault(a => a.Name == "targets")?.I ?? 1;
            if (node.Input.Count != 1 || node.Output.Count != 1 || targets < 1 || coefficients % targets != 0)
            {
                throw new OnnxExportException($"LinearRegressor '{node.Name}' has an unexpected form; it cannot be made batch-invariant.");
            }

            var prefix = (node.Name.Length > 0 ? node.Name : node.Output[0]) + "/";
            graph.Initializer.Add(new TensorProto { Name = prefix + "zeroRow", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 1, coefficients / targets }, FloatData = { new float[coefficients / targets] } });
            graph.Initializer.Add(Int64(prefix + "start", 0));
            graph.Initializer.Add(Int64(prefix + "end", -1));
            graph.Initializer.Add(Int64(prefix + "axis", 0));

            var pad = new NodeProto { OpType = "Concat", Name = prefix + "pad", Input = { node.Input[0], prefix + "zeroRow" }, Output = { prefix + "padded" } };
            pad.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
            var linear = node.Clone();
            linear.Input[0] = prefix + "padded";
            linear.Output[0] = prefix + "paddedScore";
            var slice = new NodeProto { OpType = "Slice", Name = prefix + "unpad", Input = { prefix + "paddedScore", prefix + "start", prefix + "end", prefix + "axis" }, Output = { node.Output[0] } };
            nodes.AddRange([pad, linear, slice]);

            // Types of the new intermediate values (shapes left open), for strict shape inference downstream.
            graph.ValueInfo.Add(Untyped(graph, node.Input[0], pad.Output[0]));
            graph.ValueInfo.Add(Untyped(graph, node.Output[0], linear.Output[0]));
        }

        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        return model.ToByteArray();
    }

    /// <summary>A value annotation named <paramref name="name"/> with the element type <paramref name="like"/> has.</summary>
    private static ValueInfoProto Untyped(GraphProto graph, string like, string name)
    {
        var elementType = graph.ValueInfo.Concat(graph.Input).FirstOrDefault(v => v.Name == like)?.Type.TensorType.ElemType
            ?? (int)TensorProto.Types.DataType.Float;
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType } } };
    }

    private static TensorProto Int64(string name, long value) =>
        new() { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 }, Int64Data = { value } };
}
