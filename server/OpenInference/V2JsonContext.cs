using System.Text.Json;
using System.Text.Json.Serialization;
using CreditRisk.Contracts;

namespace CreditRisk.Server.OpenInference;

/// <summary>Source-generated serializers for the protocol's responses (and the reasons a result carries as a string parameter).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<Reason>))]
[JsonSerializable(typeof(ServerMetadata))]
[JsonSerializable(typeof(ModelMetadata))]
[JsonSerializable(typeof(InferResponse))]
[JsonSerializable(typeof(V2Error))]
[JsonSerializable(typeof(IReadOnlyList<RepositoryIndexEntry>))]
internal sealed partial class V2JsonContext : JsonSerializerContext;
