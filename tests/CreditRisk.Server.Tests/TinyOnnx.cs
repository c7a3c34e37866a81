using System.Text;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests;

/// <summary>
/// Writes small, valid ONNX files by hand (protobuf wire format), to test how the server treats models with the
/// wrong inputs, outputs or metadata without shipping extra binaries: P = sigmoid(weight · numericInput + bias).
/// </summary>
internal static class TinyOnnx
{
    private const int Float = 1;
    private const int String = 8;

    public static byte[] Build(
        IEnumerable<(string Name, bool IsString)> inputs,
        string numericInput,
        string output,
        IReadOnlyDictionary<string, string> metadata,
        float weight = 0.1f,
        float bias = -2f,
        string activation = "Sigmoid",
        float? scale = null,
        bool twoColumns = false,
        string[]? outputShape = null,
        bool flatten = false,
        bool stamp = true)
    {
        // P = activation(weight · x + bias), then optionally × scale, then optionally Concat(P, P) on axis 1.
        var graph = new Proto();
        graph.Message(1, Node("Mul", [numericInput, "w"], "scaled"));
        graph.Message(1, Node("Add", ["scaled", "b"], "logit"));
        var last = "logit";
        graph.Message(1, Node(activation, [last], last = "activated"));
        if (scale is not null)
        {
            graph.Message(1, Node("Mul", [last, "k"], last = "rescaled"));
        }

        if (flatten)
        {
            // Reshape to [-1]: one value per row, but rank 1 ([1] for one row).
            graph.Message(1, Node("Reshape", [last, "flat"], last = "flattened"));
        }

        if (twoColumns)
        {
            var concat = Node("Concat", [last, last], output);
            var axis = new Proto();
            axis.String(1, "axis");
            axis.Varint(3, 1);
            axis.Varint(20, 2); // AttributeProto.INT
            concat.Message(5, axis);
            graph.Message(1, concat);
        }
        else
        {
            graph.Message(1, Node("Identity", [last], output));
        }

        graph.String(2, "tiny");
        graph.Message(5, Scalar("w", weight));
        graph.Message(5, Scalar("b", bias));
        if (scale is { } k)
        {
            graph.Message(5, Scalar("k", k));
        }

        if (flatten)
        {
            var flat = new Proto();
            flat.Varint(1, 1); // dims: [1]
            flat.Varint(2, 7); // INT64
            flat.String(8, "flat");
            flat.Bytes(9, BitConverter.GetBytes(-1L));
            graph.Message(5, flat);
        }

        foreach (var (name, isString) in inputs)
        {
            graph.Message(11, ValueInfo(name, isString ? String : Float));
        }

        graph.Message(12, ValueInfo(output, Float, outputShape ?? (flatten ? ["N"] : ["N", twoColumns ? "2" : "1"])));

        var model = new Proto();
        model.Varint(1, 8);
        model.String(2, "CreditRisk.Server.Tests");
        model.Message(7, graph);
        var opset = new Proto();
        opset.String(1, "");
        opset.Varint(2, 13);
        model.Message(8, opset);
        // Stamped as the trainer stamps: the version is the hash of graph and card (ModelIdentity), unless the test
        // brings its own content hash (or none: stamp = false) to see the server refuse it.
        var entries = metadata.ToList();
        if (stamp && metadata.TryGetValue(ModelMetadataKeys.ModelCard, out var card) && !metadata.ContainsKey(ModelMetadataKeys.ContentHash))
        {
            var version = ModelIdentity.Of(model.ToArray(), card);
            model.Varint(5, ModelIdentity.AsOnnxModelVersion(version));
            entries.Add(new(ModelMetadataKeys.ContentHash, version));
        }

        foreach (var (key, value) in entries)
        {
            var entry = new Proto();
            entry.String(1, key);
            entry.String(2, value);
            model.Message(14, entry);
        }

        return model.ToArray();
    }

    /// <summary>
    /// A copy of a trainer-written model with another card, stamped as the trainer stamps (the version is the hash of
    /// graph and card): every top-level field is kept byte for byte except model_version (5) and the card and content
    /// hash among metadata_props (14), so only the card disagrees with the graph.
    /// </summary>
    public static byte[] Restamp(byte[] onnx, string cardJson)
    {
        var model = new Proto();
        var kept = new List<(string Key, string Value)>();
        var position = 0;
        while (position < onnx.Length)
        {
            var start = position;
            var tag = ReadVarint(onnx, ref position);
            var field = (int)(tag >> 3);
            if ((tag & 7) == 0)
            {
                ReadVarint(onnx, ref position);
            }
            else
            {
                var length = (int)ReadVarint(onnx, ref position);
                if (field == 14)
                {
                    var entry = onnx.AsSpan(position, length);
                    var (key, value) = (ReadString(entry, 1), ReadString(entry, 2));
                    if (key is not ModelMetadataKeys.ModelCard and not ModelMetadataKeys.ContentHash)
                    {
                        kept.Add((key, value));
                    }
                }

                position += length;
            }

            if (field is not 5 and not 14)
            {
                model.Raw(onnx.AsSpan(start, position - start));
            }
        }

        var version = ModelIdentity.Of(model.ToArray(), cardJson);
        model.Varint(5, ModelIdentity.AsOnnxModelVersion(version));
        foreach (var (key, value) in kept.Append((ModelMetadataKeys.ModelCard, cardJson)).Append((ModelMetadataKeys.ContentHash, version)))
        {
            var entry = new Proto();
            entry.String(1, key);
            entry.String(2, value);
            model.Message(14, entry);
        }

        return model.ToArray();
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static string ReadString(ReadOnlySpan<byte> message, int wanted)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var length = (int)ReadVarint(message, ref position);
            if ((int)(tag >> 3) == wanted)
            {
                return Encoding.UTF8.GetString(message.Slice(position, length));
            }

            position += length;
        }

        return "";
    }

    private static Proto Node(string op, string[] inputs, string output)
    {
        var node = new Proto();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output);
        node.String(3, op + "_" + output);
        node.String(4, op);
        return node;
    }

    private static Proto Scalar(string name, float value)
    {
        var tensor = new Proto();
        tensor.Varint(2, Float);
        tensor.Bytes(4, BitConverter.GetBytes(value));
        tensor.String(8, name);
        return tensor;
    }

    /// <param name="dims">Each a number or a symbolic name; [N, 1] by default.</param>
    private static Proto ValueInfo(string name, int elementType, string[]? dims = null)
    {
        var shape = new Proto();
        foreach (var d in dims ?? ["N", "1"])
        {
            var dim = new Proto();
            if (long.TryParse(d, System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                dim.Varint(1, value);
            }
            else
            {
                dim.String(2, d);
            }

            shape.Message(1, dim);
        }

        var tensor = new Proto();
        tensor.Varint(1, elementType);
        tensor.Message(2, shape);
        var type = new Proto();
        type.Message(1, tensor);
        var info = new Proto();
        info.String(1, name);
        info.Message(2, type);
        return info;
    }

    private sealed class Proto
    {
        private readonly MemoryStream _bytes = new();

        public void Varint(int field, long value)
        {
            Tag(field, 0);
            WriteVarint((ulong)value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Raw(ReadOnlySpan<byte> bytes) => _bytes.Write(bytes);

        public void Message(int field, Proto message) => Bytes(field, message.ToArray());

        public void Bytes(int field, byte[] value)
        {
            Tag(field, 2);
            WriteVarint((ulong)value.Length);
            _bytes.Write(value);
        }

        public byte[] ToArray() => _bytes.ToArray();

        private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _bytes.WriteByte((byte)value);
        }
    }
}
