using System.Text.Json;
using System.Text.Json.Serialization;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Records;

/// <summary>Source-generated JSON for the stored reasons and the records endpoints.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<Reason>))]
[JsonSerializable(typeof(Reason[]))]
[JsonSerializable(typeof(DecisionRecord))]
[JsonSerializable(typeof(DecisionPage))]
[JsonSerializable(typeof(OutcomeResult))]
[JsonSerializable(typeof(OutcomeBatchResponse))]
internal sealed partial class RecordsJson : JsonSerializerContext;
