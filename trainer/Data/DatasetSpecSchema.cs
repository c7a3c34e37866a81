using System.Text.Json;
using CreditRisk.Contracts;
using Json.Schema;

namespace CreditRisk.Trainer.Data;

/// <summary>
/// Loads a spec the way an editor sees it: first against <c>contracts/dataset.schema.json</c> (embedded in the
/// trainer, so the schema and the code that reads specs cannot drift apart), then through
/// <see cref="DatasetSpec.Parse"/> for the rules a schema cannot state.
/// </summary>
public static class DatasetSpecSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        using var stream = typeof(DatasetSpecSchema).Assembly.GetManifestResourceStream("dataset.schema.json")
            ?? throw new InvalidOperationException("dataset.schema.json is not embedded in the trainer.");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd());
    });

    public static DatasetSpec Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DatasetSpecException(path, "file not found");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static DatasetSpec Parse(string json, string origin)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new DatasetSpecException(origin, $"not JSON: {e.Message}");
        }

        using (document)
        {
            var result = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
            {
                // The list format gives one entry per failing keyword; the first with an error names the field.
                var first = (result.Details ?? []).FirstOrDefault(d => d.Errors is { Count: > 0 });
                var where = first is null ? "" : first.InstanceLocation.ToString().TrimStart('/').Replace('/', '.');
                var why = first?.Errors?.First().Value ?? "does not match the schema";
                throw new DatasetSpecException(origin, $"{(where.Length == 0 ? "the spec" : where)} {why} (contracts/dataset.schema.json)");
            }
        }

        return DatasetSpec.Parse(json, origin);
    }
}
