using Google.Protobuf;
using Onnx;

namespace CreditRisk.Trainer.Export;

/// <summary>
/// Joins the ONNX graphs of several fitted pipelines into one graph whose output is the mean of theirs. ML.NET has no
/// exportable "average these models" estimator, so the members are converted one by one and merged here:
/// <list type="bullet">
/// <item>every member keeps the shared graph inputs (the contract's 20 fields); its other names get a member prefix;</item>
/// <item>nodes not needed for the output (ML.NET's PredictedLabel branch) are dropped;</item>
/// <item>identical nodes and initializers are computed once (common-subexpression elimination): the members were fitted
/// on the same rows, so their one-hot encoders are the same and the merged file encodes each field once;</item>
/// <item>a <c>Mean</c> node averages the members' outputs into an output of the same name.</item>
/// </list>
/// The result is checked by <c>OnnxExport.Verify</c> like any other export: ONNX Runtime must reproduce the
/// ML.NET mean on every golden row.
/// </summary>
public static class OnnxEnsemble
{
    public static byte[] Merge(IReadOnlyList<byte[]> members, string output)
    {
        ArgumentOutOfRangeException.ThrowIfZero(members.Count);
        if (members.Count == 1)
        {
            return members[0]; // nothing to merge: the converter's own file, byte for byte
        }

        var models = members.Select(m => ModelProto.Parser.ParseFrom(m)).ToArray();
        var first = models[0].Graph;
        var inputNames = first.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (model, k) in models.Select((m, k) => (m, k)).Skip(1))
        {
            if (!model.Graph.Input.Select(i => i.ToByteString()).SequenceEqual(first.Input.Select(i => i.ToByteString())))
            {
                throw new OnnxExportException($"Ensemble member {k} declares different graph inputs from member 0; the members must share one schema.");
            }
        }

        var graph = new GraphProto { Name = "CreditRisk ensemble: mean PD" };
        graph.Input.AddRange(first.Input.Select(i => i.Clone()));
        var nodes = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        var tensors = new Dictionary<ByteString, string>();
        var memberOutputs = new List<string>();
        for (var k = 0; k < models.Length; k++)
        {
            var g = models[k].Graph;
            if (g.Output.All(o => o.Name != output))
            {
                throw new OnnxExportException($"Ensemble member {k} has no output '{output}'.");
            }

            // Member-local name → merged name. Graph inputs keep their names; "" marks an omitted optional input.
            var alias = new Dictionary<string, string>(StringComparer.Ordinal);
            string Resolve(string name) =>
                name.Length == 0 || inputNames.Contains(name) ? name
                : alias.TryGetValue(name, out var merged) ? merged
                : throw new OnnxExportException($"Ensemble member {k} uses '{name}' before defining it.");
            string Own(string name) => $"m{k}/{name}";

            foreach (var initializer in g.Initializer)
            {
                var unnamed = initializer.Clone();
                unnamed.Name = "";
                var key = unnamed.ToByteString();
                if (!tensors.TryGetValue(key, out var name))
                {
                    var copy = initializer.Clone();
                    copy.Name = name = Own(initializer.Name);
                    graph.Initializer.Add(copy);
                    tensors[key] = name;
                }

                alias[initializer.Name] = name;
            }

            foreach (var node in Needed(g, output))
            {
                var copy = node.Clone();
                copy.Input.Clear();
                copy.Input.AddRange(node.Input.Select(Resolve));
                copy.Output.Clear();
                copy.Name = "";
                var key = Convert.ToBase64String(copy.ToByteArray());
                if (nodes.TryGetValue(key, out var same))
                {
                    for (var i = 0; i < node.Output.Count; i++)
                    {
                        alias[node.Output[i]] = same.Output[i];
                    }

                    continue;
                }

                copy.Output.AddRange(node.Output.Select(Own));
                copy.Name = Own(node.Name.Length > 0 ? node.Name : node.OpType);
                for (var i = 0; i < node.Output.Count; i++)
                {
                    alias[node.Output[i]] = copy.Output[i];
                }

                nodes[key] = copy;
                graph.Node.Add(copy);
            }

            memberOutputs.Add(Resolve(output));

            // Keep the converter's type annotations of intermediate values (strict shape inference needs the types
            // of the ML operators' outputs), under their merged names, once each.
            foreach (var info in g.ValueInfo.Where(v => alias.ContainsKey(v.Name) && graph.ValueInfo.All(w => w.Name != alias[v.Name])))
            {
                var copy = info.Clone();
                copy.Name = alias[info.Name];
                graph.ValueInfo.Add(copy);
            }
        }

        var mean = new NodeProto { OpType = "Mean", Name = "ensemble/mean" };
        mean.Input.AddRange(memberOutputs);
        mean.Output.Add(output);
        graph.Node.Add(mean);
        graph.Output.Add(first.Output.Single(o => o.Name == output).Clone());

        var merged = new ModelProto { IrVersion = models.Max(m => m.IrVersion), Graph = graph };
        merged.OpsetImport.AddRange(models.SelectMany(m => m.OpsetImport)
            .GroupBy(o => o.Domain, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new OperatorSetIdProto { Domain = g.Key, Version = Math.Max(g.Max(o => o.Version), g.Key.Length == 0 ? 8 : 0) }));
        return merged.ToByteArray();
    }

    /// <summary>The nodes <paramref name="output"/> depends on, in their original (topological) order.</summary>
    private static List<NodeProto> Needed(GraphProto graph, string output)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal) { output };
        var keep = new bool[graph.Node.Count];
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            if (graph.Node[i].Output.Any(needed.Contains))
            {
                keep[i] = true;
                needed.UnionWith(graph.Node[i].Input);
            }
        }

        return graph.Node.Where((_, i) => keep[i]).ToList();
    }
}
