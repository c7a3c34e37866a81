using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditRisk.Server.Challenger;

/// <summary>Source-generated serializer for GET /api/v1/monitoring/challenger.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ChallengerReport))]
internal sealed partial class ChallengerJsonContext : JsonSerializerContext;
