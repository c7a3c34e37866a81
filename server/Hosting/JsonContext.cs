using System.Text.Json;
using System.Text.Json.Serialization;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Hosting;

/// <summary>Source-generated serializers for the hot-path responses: no reflection per request.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ScoreResult))]
[JsonSerializable(typeof(BatchScoreResponse))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(InputRulesInfo))]
[JsonSerializable(typeof(MonitoringReport))]
[JsonSerializable(typeof(IReadOnlyList<Reason>))]
[JsonSerializable(typeof(Monitoring.ChallengerReport))]
[JsonSerializable(typeof(Inference.ServerMetadata))]
[JsonSerializable(typeof(Inference.ModelMetadata))]
[JsonSerializable(typeof(Inference.InferResponse))]
[JsonSerializable(typeof(Inference.V2Error))]
internal sealed partial class JsonContext : JsonSerializerContext;
