using Google.Protobuf;

namespace CreditRisk.Trainer.Export;

/// <summary>
/// Rewrites the descriptive top-level fields of an ONNX <c>ModelProto</c> without a generated schema: every other
/// field (opsets, IR version, the graph's nodes, inputs, outputs and initializers) is copied byte for byte. No
/// timestamps, so the output is deterministic.
/// </summary>
public static class OnnxMetadata
{
    // ModelProto field numbers (onnx.proto3).
    private const int ProducerName = 2;
    private const int ProducerVersion = 3;
    private const int ModelVersion = 5;
    private const int DocString = 6;
    private const int MetadataProps = 14;
    private const int Graph = 7;

    // GraphProto field numbers: node, and value_info (optional shape annotations of intermediate values).
    private const int GraphNode = 1;
    private const int GraphValueInfo = 13;

    private static readonly HashSet<int> Replaced = [ProducerName, ProducerVersion, ModelVersion, DocString, MetadataProps];

    public static byte[] Rewrite(
        byte[] model,
        string producerName,
        string producerVersion,
        long modelVersion,
        string docString,
        IEnumerable<KeyValuePair<string, string>> metadata)
    {
        using var output = new MemoryStream();
        var input = new CodedInputStream(model);
        while (!input.IsAtEnd)
        {
            var start = (int)input.Position;
            var tag = input.ReadTag();
            input.SkipLastField();
            var field = WireFormat.GetTagFieldNumber(tag);
            if (field == Graph)
            {
                WriteGraphWithoutOneHotValueInfo(output, model.AsSpan(start, (int)input.Position - start));
            }
            else if (!Replaced.Contains(field))
            {
                output.Write(model, start, (int)input.Position - start);
            }
        }

        var writer = new CodedOutputStream(output, leaveOpen: true);
        writer.WriteTag(ProducerName, WireFormat.WireType.LengthDelimited);
        writer.WriteString(producerName);
        writer.WriteTag(ProducerVersion, WireFormat.WireType.LengthDelimited);
        writer.WriteString(producerVersion);
        writer.WriteTag(ModelVersion, WireFormat.WireType.Varint);
        writer.WriteInt64(modelVersion);
        writer.WriteTag(DocString, WireFormat.WireType.LengthDelimited);
        writer.WriteString(docString);
        foreach (var (key, value) in metadata)
        {
            // StringStringEntryProto { string key = 1; string value = 2; }
            var entry = new MemoryStream();
            var entryWriter = new CodedOutputStream(entry, leaveOpen: true);
            entryWriter.WriteTag(1, WireFormat.WireType.LengthDelimited);
            entryWriter.WriteString(key);
            entryWriter.WriteTag(2, WireFormat.WireType.LengthDelimited);
            entryWriter.WriteString(value);
            entryWriter.Flush();
            writer.WriteTag(MetadataProps, WireFormat.WireType.LengthDelimited);
            writer.WriteBytes(ByteString.CopyFrom(entry.ToArray()));
        }

        writer.Flush();
        return output.ToArray();
    }

    /// <summary>
    /// The converter annotates each OneHotEncoder output as [N,k] while the node yields [N,1,k]. ONNX Runtime for C#
    /// and Node only warns ("Error merging shape info"); onnxruntime-web refuses to load the file. Those annotations
    /// are optional (runtimes infer them), so they are dropped; the others stay, the ONNX checker needs them, and so
    /// does the economics' own OneHotEncoder output, annotated with its type only (OnnxEconomics.TermMonths).
    /// </summary>
    private static void WriteGraphWithoutOneHotValueInfo(Stream output, ReadOnlySpan<byte> graphField)
    {
        var field = new CodedInputStream(graphField.ToArray());
        field.ReadTag();
        var graph = field.ReadBytes().ToByteArray();
        var oneHotOutputs = OneHotOutputs(graph);

        using var kept = new MemoryStream();
        var input = new CodedInputStream(graph);
        while (!input.IsAtEnd)
        {
            var start = (int)input.Position;
            var tag = input.ReadTag();
            if (WireFormat.GetTagFieldNumber(tag) == GraphValueInfo)
            {
                // ValueInfoProto { string name = 1; … }
                var valueInfo = input.ReadBytes();
                var name = FirstString(valueInfo, 1) ?? "";
                if (oneHotOutputs.Contains(name) && !name.StartsWith(OnnxEconomics.Prefix, StringComparison.Ordinal))
                {
                    continue;
                }
            }
            else
            {
                input.SkipLastField();
            }

            kept.Write(graph, start, (int)input.Position - start);
        }

        var writer = new CodedOutputStream(output, leaveOpen: true);
        writer.WriteTag(Graph, WireFormat.WireType.LengthDelimited);
        writer.WriteBytes(ByteString.CopyFrom(kept.ToArray()));
        writer.Flush();
    }

    /// <summary>Names of the outputs of the graph's OneHotEncoder nodes (NodeProto: output = 2, op_type = 4).</summary>
    private static HashSet<string> OneHotOutputs(byte[] graph)
    {
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        var input = new CodedInputStream(graph);
        while (!input.IsAtEnd)
        {
            var tag = input.ReadTag();
            if (WireFormat.GetTagFieldNumber(tag) != GraphNode)
            {
                input.SkipLastField();
                continue;
            }

            var node = input.ReadBytes();
            if (FirstString(node, 4) == "OneHotEncoder")
            {
                outputs.UnionWith(Strings(node, 2));
            }
        }

        return outputs;
    }

    private static string? FirstString(ByteString message, int fieldNumber) => Strings(message, fieldNumber).FirstOrDefault();

    private static List<string> Strings(ByteString message, int fieldNumber)
    {
        var values = new List<string>();
        var input = new CodedInputStream(message.ToByteArray());
        while (!input.IsAtEnd)
        {
            var tag = input.ReadTag();
            if (WireFormat.GetTagFieldNumber(tag) == fieldNumber && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                values.Add(input.ReadString());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return values;
    }

    /// <summary>Reads the metadata_props back. Only tests call it: the export's self-check (<c>OnnxExport.Verify</c>) scores the file in ONNX Runtime and does not reread its metadata.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ReadMetadata(byte[] model)
    {
        var result = new List<KeyValuePair<string, string>>();
        var input = new CodedInputStream(model);
        while (!input.IsAtEnd)
        {
            var tag = input.ReadTag();
            if (WireFormat.GetTagFieldNumber(tag) != MetadataProps)
            {
                input.SkipLastField();
                continue;
            }

            var entry = new CodedInputStream(input.ReadBytes().ToByteArray());
            string key = "", value = "";
            while (!entry.IsAtEnd)
            {
                var entryTag = entry.ReadTag();
                switch (WireFormat.GetTagFieldNumber(entryTag))
                {
                    case 1:
                        key = entry.ReadString();
                        break;
                    case 2:
                        value = entry.ReadString();
                        break;
                    default:
                        entry.SkipLastField();
                        break;
                }
            }

            result.Add(new(key, value));
        }

        return result;
    }
}
