using System.Text.Json;
using System.Text.Json.Serialization;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Hosting;

/// <summary>
/// Source-generated serializers for the hot-path responses: no reflection per request. The contracts' types; a feature
/// with its own response types (Open Inference, the challenger) adds its own context to the same chain.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ScoreResult))]
[JsonSerializable(typeof(BatchScoreResponse))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(IReadOnlyList<ModelEvent>))]
[JsonSerializable(typeof(PromotionRequest))]
[JsonSerializable(typeof(PromotionResult))]
[JsonSerializable(typeof(InputRulesInfo))]
[JsonSerializable(typeof(MonitoringReport))]
[JsonSerializable(typeof(IReadOnlyList<Reason>))]
internal sealed partial class JsonContext : JsonSerializerContext;
