using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CreditRisk.Server.OpenApi;

/// <summary>
/// The text/csv form of POST /api/v1/score/batch: a CSV request body and a CSV 200 answer, with examples built from
/// the served model's example applicant. ApiExplorer would show the JSON request schema for text/csv too.
/// </summary>
public sealed class CsvBatchDocs(CreditModel model) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.OperationId is not ("ScoreBatch" or "ScoreBatchByName") || operation.RequestBody?.Content is not { } request)
        {
            return;
        }

        var names = model.Spec.Features.Select(f => f.Name).ToList();
        var example = model.Card.ExampleApplicant;
        var cells = names.Select(n => example.TryGetValue(n, out var v) ? Cell(v) : "").ToList();
        var input = $"applicationId,{string.Join(',', names)}\nA-1001,{string.Join(',', cells)}\n";
        var output = $"applicationId,{string.Join(',', names)},{string.Join(',', CsvBatch.ResultColumns)}\n" +
            $"A-1001,{string.Join(',', cells)},0.62,reject,{string.Join(' ', model.Spec.Inputs.Take(2).Select(model.Spec.ReasonCode))}," +
            $"\"{string.Join("; ", model.Spec.Inputs.Take(2).Select(f => f.ReasonText))}\"\n";

        request[CsvBatch.MediaType] = Text(
            "A header row naming the columns (the attribute names of the JSON form, any case), then one applicant per row. " +
            "Separator ',', ';' or tab, detected from the header. Columns that are not attributes are carried through.",
            input);
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
        {
            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            response.Content[CsvBatch.MediaType] = Text(
                "The input columns as sent, in order, then " + string.Join(", ", CsvBatch.ResultColumns) +
                " (reason codes space-separated, reason texts '; '-separated), with the request's separator.",
                output);
        }
    }

    private static OpenApiMediaType Text(string description, string example) => new()
    {
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = description },
        Example = JsonValue.Create(example),
    };

    private static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Number => value.GetDouble().ToString(CultureInfo.InvariantCulture),
        _ => "",
    };
}
