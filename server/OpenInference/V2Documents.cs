using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditRisk.Server.OpenInference;

// The Open Inference Protocol's REST bodies (contracts/open-inference/open_inference_rest.yaml, components/schemas).

/// <summary>metadata_server_response.</summary>
public sealed record ServerMetadata(string Name, string Version, IReadOnlyList<string> Extensions);

/// <summary>metadata_tensor: shape -1 is "any size" (the batch dimension).</summary>
public sealed record TensorMetadata(string Name, string Datatype, long[] Shape);

/// <summary>metadata_model_response.</summary>
public sealed record ModelMetadata(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    IReadOnlyList<TensorMetadata> Inputs,
    IReadOnlyList<TensorMetadata> Outputs,
    IReadOnlyDictionary<string, string> Properties);

/// <summary>inference_response.</summary>
public sealed class InferResponse
{
    [JsonPropertyName("model_name")]
    public required string ModelName { get; init; }

    [JsonPropertyName("model_version")]
    public required string ModelVersion { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    public required InferResponseParameters Parameters { get; init; }

    public required IReadOnlyList<OutputTensor> Outputs { get; init; }
}

/// <summary>The response's parameters: the model's constant threshold (the card's). With loan-level economics each applicant has its own, in the "threshold" output; the constant one decides only where an applicant's economics cannot be computed.</summary>
public sealed record InferResponseParameters(double Threshold);

/// <summary>response_output.</summary>
public sealed record OutputTensor(string Name, string Datatype, long[] Shape, TensorData Data);

/// <summary>inference_error_response (and the other error responses: the same object).</summary>
public sealed record V2Error(string Error);

/// <summary>A tensor's "data": numbers or strings, written as a flat row-major JSON array.</summary>
[JsonConverter(typeof(TensorDataConverter))]
public sealed class TensorData
{
    private TensorData(double[]? numbers, string[]? strings)
    {
        Numbers = numbers;
        Strings = strings;
    }

    public double[]? Numbers { get; }

    public string[]? Strings { get; }

    public static TensorData Of(double[] numbers) => new(numbers, null);

    public static TensorData Of(string[] strings) => new(null, strings);
}

public sealed class TensorDataConverter : JsonConverter<TensorData>
{
    public override TensorData Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("tensor data is only written");

    public override void Write(Utf8JsonWriter writer, TensorData value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var n in value.Numbers ?? [])
        {
            // JSON has no NaN: an amount the applicant's economics could not give is null (gRPC carries NaN).
            if (double.IsFinite(n))
            {
                writer.WriteNumberValue(n);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        foreach (var s in value.Strings ?? [])
        {
            writer.WriteStringValue(s);
        }

        writer.WriteEndArray();
    }
}

/// <summary>One entry of the repository extension's index (POST /v2/repository/index): a model, its version, whether it
/// serves (READY or UNAVAILABLE) and, when it does not, why. The protocol's field names are these, camel-cased (V2JsonContext).</summary>
public sealed record RepositoryIndexEntry(string Name, string Version, string State, string Reason);
