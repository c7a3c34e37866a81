using Google.Protobuf;

namespace CreditRisk.Trainer;

/// <summary>
/// Rewrites the descriptive top-level fields of an ONNX <c>ModelProto</c> without a generated schema: every other
/// field (graph, opsets, IR version) is copied byte for byte. No timestamps, so the output is deterministic.
/// </summary>
public static class OnnxMetadata
{
    // ModelProto field numbers (onnx.proto3).
    private const int ProducerName = 2;
    private const int ProducerVersion = 3;
    private const int ModelVersion = 5;
    private const int DocString = 6;
    private const int MetadataProps = 14;

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
            if (!Replaced.Contains(WireFormat.GetTagFieldNumber(tag)))
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

    /// <summary>Reads the metadata_props back (for tests and the export's self-check).</summary>
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
                    case 1: key = entry.ReadString(); break;
                    case 2: value = entry.ReadString(); break;
                    default: entry.SkipLastField(); break;
                }
            }

            result.Add(new(key, value));
        }

        return result;
    }
}
