using System.Text.Json;
using System.Text.Json.Serialization;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Records;

/// <summary>Source-generated JSON for the reasons stored with each record (written per decision, read per record).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<Reason>))]
[JsonSerializable(typeof(Reason[]))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(IReadOnlyList<PromotionCheck>))]
internal sealed partial class RecordsJson : JsonSerializerContext;
