using System.Globalization;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring;
using CreditRisk.Server.Scoring.Input;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CreditRisk.Server.OpenApi;

/// <summary>
/// Writes the request schemas from the served model's data set spec, so the document states exactly the rules
/// <see cref="ApplicantReader"/> enforces: categories as string enums, numbers as bounded integers or numbers, null
/// where a value may be missing, model inputs that may not be missing required, nothing else allowed. Results' ids are
/// typed by the spec's id attributes. One binary, one document per model.
/// </summary>
public sealed class SpecSchemaFilter(CreditModel model, IOptions<ScoringOptions> scoring) : ISchemaFilter
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
        else if (context.Type == typeof(ScoreResult) && target.Properties is { } properties)
        {
            var ids = model.Spec.Ids.ToList();
            if (ids.Count == 0)
            {
                properties.Remove("ids");
                return;
            }

            properties["ids"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "The applicant's id attributes as sent; absent when the request gave none.",
                AdditionalPropertiesAllowed = false,
                // Only ids that were given come back, so none is null here.
                Properties = ids.ToDictionary(f => f.Name, f => (IOpenApiSchema)NotNull(Property(f))),
            };
        }
        else if (context.Type == typeof(ModelInfo) && target.Properties is { } info)
        {
            info["exampleApplicant"] = new OpenApiSchemaReference(nameof(Applicant));
        }
        else if (context.Type == typeof(DecisionRecord) && target.Properties is { } record)
        {
            record["applicant"] = new OpenApiSchemaReference(nameof(Applicant));
        }
    }

    private void DescribeApplicant(OpenApiSchema schema)
    {
        var spec = model.Spec;
        schema.Description =
            $"One applicant of {spec.Title}. Model inputs that may not be missing are required; the others may be null or left " +
            "out (missing). Protected attributes are accepted for monitoring and never scored; ids come back in batch results. " +
            "Unknown or repeated fields are rejected.";
        schema.AdditionalPropertiesAllowed = false;
        schema.Required = new HashSet<string>(spec.Inputs.Where(f => !f.MayBeMissing).Select(f => f.Name));
        schema.Properties = spec.Features.ToDictionary(f => f.Name, f => (IOpenApiSchema)Property(f));
        // A spec attribute of that name wins (ApplicantReader reads it as the attribute).
        schema.Properties.TryAdd(ApplicantReader.ApplicationIdField, new OpenApiSchema
        {
            Type = JsonSchemaType.String | JsonSchemaType.Null,
            MinLength = 1,
            MaxLength = ApplicantReader.MaxApplicationIdLength,
            Description = "The client's own id for this application: recorded with the decision, echoed in the result, and usable to feed back its outcome. Optional (null = not given).",
        });
    }

    private static OpenApiSchema NotNull(OpenApiSchema schema)
    {
        schema.Type &= ~JsonSchemaType.Null;
        return schema;
    }

    private static OpenApiSchema Property(FeatureSpec feature)
    {
        var nullable = feature.Role != FeatureRole.Feature || feature.MayBeMissing ? JsonSchemaType.Null : 0;
        var words = new List<string> { feature.Description ?? feature.Text };
        if (feature.Unit is { } unit)
        {
            words.Add($"Unit: {unit}");
        }

        words.Add(feature.Role switch
        {
            FeatureRole.Protected => "Protected: read for monitoring only, never a model input",
            FeatureRole.Id => "Id: carried through to the result, never a model input",
            FeatureRole.Date => $"Application date: optional, carried through to the result like an id, never a model input; {DateValue.Rule}",
            _ => feature.MayBeMissing ? "May be null or absent when unknown" : "Required",
        });

        if (feature.IsCarried)
        {
            return new OpenApiSchema
            {
                Type = (feature.Kind switch
                {
                    FeatureKind.Category => JsonSchemaType.String,
                    FeatureKind.Integer => JsonSchemaType.Integer,
                    _ => JsonSchemaType.Number,
                }) | nullable,
                Description = string.Join(". ", words) + ".",
            };
        }

        if (feature.Kind == FeatureKind.Category)
        {
            words.Add(string.Join("; ", feature.Values.Select(v => $"`{v.Value}`: {v.Text}")));
            var category = new OpenApiSchema
            {
                Type = JsonSchemaType.String | nullable,
                Description = string.Join(". ", words) + ".",
                // OAS 3.0: `nullable: true` does not add null to an enum, so a nullable category lists null itself, or a
                // validator refuses the null the server accepts.
                Enum = [.. feature.Values.Select(v => (JsonNode)JsonValue.Create(v.Value)), .. nullable != 0 ? [JsonNullSentinel.JsonNull] : Array.Empty<JsonNode>()],
            };
            EnumMemberNames.Add(category, [.. feature.Values.Select(v => v.Value)]);
            return category;
        }

        words.Add(feature.NumberRule().Replace("must be", "Must be", StringComparison.Ordinal));
        return new OpenApiSchema
        {
            Type = (feature.Kind == FeatureKind.Integer ? JsonSchemaType.Integer : JsonSchemaType.Number) | nullable,
            // int32 when the range fits, as generated clients then use their plain int type.
            Format = feature.Kind == FeatureKind.Integer
                ? (feature.Min >= int.MinValue && feature.Max <= int.MaxValue ? "int32" : "int64")
                : "double",
            Description = string.Join(". ", words) + ".",
            Minimum = feature.Min?.ToString(CultureInfo.InvariantCulture),
            Maximum = feature.Max?.ToString(CultureInfo.InvariantCulture),
        };
    }
}
