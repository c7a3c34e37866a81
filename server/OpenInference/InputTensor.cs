using System.Text.Json;

namespace CreditRisk.Server.OpenInference;

/// <summary>One input tensor of an Open Inference Protocol request, whichever transport (REST or gRPC) carried it.</summary>
public abstract class InputTensor(string name, string datatype, IReadOnlyList<long> shape)
{
    public string Name { get; } = name;

    public string Datatype { get; } = datatype;

    public IReadOnlyList<long> Shape { get; } = shape;

    /// <summary>How many elements the tensor holds (its data, not its declared shape).</summary>
    public abstract int Count { get; }

    /// <summary>Writes element <paramref name="index"/> as the JSON value a /api/v1 request would carry for it.</summary>
    public abstract void Write(Utf8JsonWriter writer, int index);
}

/// <summary>A REST tensor: its "data", flattened in row-major order, each element written back exactly as it was sent.</summary>
public sealed class JsonTensor(string name, string datatype, IReadOnlyList<long> shape, List<JsonElement> data)
    : InputTensor(name, datatype, shape)
{
    public override int Count => data.Count;

    public override void Write(Utf8JsonWriter writer, int index) => data[index].WriteTo(writer);
}
