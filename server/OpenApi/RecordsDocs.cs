using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CreditRisk.Server.OpenApi;

/// <summary>
/// What the endpoint metadata cannot say about the decision endpoints: which need the API key (a security scheme),
/// and that POST /api/v1/outcomes takes and answers either one outcome or a batch.
/// </summary>
public sealed class RecordsDocs : IOperationFilter, IDocumentFilter
{
    private const string Scheme = "apiKey";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ApiKeys.Required>().Any())
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] }];
        }

        if (operation.OperationId != "PostOutcomes")
        {
            return;
        }

        if (operation.RequestBody?.Content?.TryGetValue("application/json", out var request) == true && request is OpenApiMediaType body)
        {
            body.Schema = OneOf(context, typeof(OutcomeRequest), typeof(OutcomeBatchRequest));
        }

        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok.Content?.TryGetValue("application/json", out var answer) == true && answer is OpenApiMediaType result)
        {
            result.Schema = OneOf(context, typeof(OutcomeResult), typeof(OutcomeBatchResponse));
        }
    }

    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        swaggerDoc.Components ??= new OpenApiComponents();
        swaggerDoc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        swaggerDoc.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyOptions.Header,
            Description = "ApiKey:Key. Always needed by the decision endpoints; by the monitoring endpoints whenever a key is configured; by the score endpoints (REST, Open Inference REST and gRPC) only when ApiKey:RequiredForScoring is set.",
        };
    }

    private static OpenApiSchema OneOf(OperationFilterContext context, Type single, Type batch) => new()
    {
        OneOf = [context.SchemaGenerator.GenerateSchema(single, context.SchemaRepository), context.SchemaGenerator.GenerateSchema(batch, context.SchemaRepository)],
    };
}
