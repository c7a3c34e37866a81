using CreditRisk.Trainer.Selection;
using Google.Protobuf;
using Onnx;

namespace CreditRisk.Trainer.Export;

/// <summary>
/// Appends the pre-registered recalibration step (<see cref="Platt"/>) to an exported graph, so the file's PD is the
/// recalibrated one and no runtime can skip it: <c>Clip(ε, 1−ε) → p / (1 − p) → Log → ·B → +A → Sigmoid</c>, the same
/// float operations, in the same order, as <see cref="Platt.Apply(float)"/>. The node that produced the output keeps
/// its computation under a new name; the output keeps its name and type.
/// </summary>
public static class OnnxRecalibration
{
    public static byte[] Append(byte[] onnx, Platt platt, string output)
    {
        var model = ModelProto.Parser.ParseFrom(onnx);
        var graph = model.Graph;
        var raw = "recalibration/uncalibrated";
        var producer = graph.Node.SingleOrDefault(n => n.Output.Contains(output))
            ?? throw new OnnxExportException($"No node produces '{output}'; the recalibration step has nothing to follow.");
        producer.Output[producer.Output.IndexOf(output)] = raw;
        foreach (var info in graph.ValueInfo.Where(v => v.Name == output))
        {
            info.Name = raw;
        }

        string Constant(string name, float value)
        {
            var tensor = new TensorProto { Name = "recalibration/" + name, DataType = (int)TensorProto.Types.DataType.Float };
            tensor.FloatData.Add(value);
            graph.Initializer.Add(tensor);
            return tensor.Name;
        }

        var min = Constant("epsilon", (float)Platt.Epsilon);
        var max = Constant("oneMinusEpsilon", 1 - (float)Platt.Epsilon);
        var one = Constant("one", 1f);
        var b = Constant("b", (float)platt.B);
        var a = Constant("a", (float)platt.A);
        void Node(string op, string name, string result, params string[] inputs)
        {
            var node = new NodeProto { OpType = op, Name = "recalibration/" + name };
            node.Input.AddRange(inputs);
            node.Output.Add(result);
            graph.Node.Add(node);
        }

        Node("Clip", "clip", "recalibration/p", raw, min, max);
        Node("Sub", "complement", "recalibration/q", one, "recalibration/p");
        Node("Div", "odds", "recalibration/odds", "recalibration/p", "recalibration/q");
        Node("Log", "logit", "recalibration/logit", "recalibration/odds");
        Node("Mul", "slope", "recalibration/scaled", "recalibration/logit", b);
        Node("Add", "intercept", "recalibration/z", "recalibration/scaled", a);
        Node("Sigmoid", "sigmoid", output, "recalibration/z");

        // Clip takes its bounds as inputs from opset 11 on.
        foreach (var opset in model.OpsetImport.Where(o => o.Domain.Length == 0 && o.Version < 11))
        {
            opset.Version = 11;
        }

        return model.ToByteArray();
    }
}
