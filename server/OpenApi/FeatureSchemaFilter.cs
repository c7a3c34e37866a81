using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.Scoring;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CreditRisk.Server.OpenApi;

/// <summary>
/// Writes the request schemas from <see cref="FeatureSchema"/>, so the document states exactly the rules
/// <see cref="ApplicantJson"/> enforces: categories as string enums with their codebook meaning, numbers as bounded
/// integers, every attribute required and nothing else allowed.
/// </summary>
public sealed class FeatureSchemaFilter(IOptions<ScoringOptions> scoring) : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema target)
        {
            return;
        }

        if (context.Type == typeof(Applicant))
        {
            DescribeApplicant(target);
        }
        else if (context.Type == typeof(BatchScoreRequest))
        {
            target.AdditionalPropertiesAllowed = false;
            target.Required = new HashSet<string> { "applicants" };
            if (target.Properties?.TryGetValue("applicants", out var applicants) == true && applicants is OpenApiSchema array)
            {
                array.Type = JsonSchemaType.Array;
                array.MinItems = 1;
                array.MaxItems = scoring.Value.MaxBatchSize;
                array.Description = $"1 to {scoring.Value.MaxBatchSize} applicants (Scoring:MaxBatchSize).";
            }
        }
    }

    private static void DescribeApplicant(OpenApiSchema schema)
    {
        schema.Description = "One loan application: all 20 attributes are required; unknown or repeated fields are rejected.";
        schema.AdditionalPropertiesAllowed = false;
        schema.Required = new HashSet<string>(FeatureSchema.All.Select(f => f.Name));
        schema.Properties = new Dictionary<string, IOpenApiSchema>();
        foreach (var feature in FeatureSchema.All)
        {
            schema.Properties[feature.Name] = feature.IsCategorical
                ? new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = $"{feature.Description}. " + string.Join("; ",
                        feature.Values.Select(v => $"`{v.Value}` ({v.UciCode}): {v.Description}")),
                    Enum = [.. feature.AllowedValues.Select(v => (JsonNode)JsonValue.Create(v))],
                }
                : new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Format = "int32",
                    Description = $"{feature.Description}; a whole number from {feature.Min} to {feature.Max}.",
                    Minimum = feature.Min.ToString(),
                    Maximum = feature.Max.ToString(),
                };
        }
    }
}
