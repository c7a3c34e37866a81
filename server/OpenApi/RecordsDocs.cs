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

        // The one rule of OutcomesModule: exactly one of the two ids, and null counts as not given (generated clients
        // send the id they do not use as null).
        if (swaggerDoc.Components.Schemas?.TryGetValue(nameof(OutcomeRequest), out var outcome) == true && outcome is OpenApiSchema request)
        {
            request.Description = "One outcome: exactly one of decisionId and applicationId (null or left out = not given), whether the applicant defaulted, and when that was observed.";
            Describe(request, "decisionId", "The decisionId a score response gave. Give this or applicationId; null = not given.");
            Describe(request, "applicationId", "The client's applicationId sent with the score request; joins that application's latest decision. Give this or decisionId; null = not given.");
            Amount(request, "interestReceived", "The interest actually received, net of funding cost and fees, in the model's currency; null = not given.");
            Amount(request, "lossAmount", "The loss actually written off, net of recoveries, in the model's currency; a defaulted loan only; null = not given.");
        }
    }

    /// <summary>The amounts' range, as OutcomesModule checks it.</summary>
    private static void Amount(OpenApiSchema schema, string member, string description)
    {
        Describe(schema, member, description);
        if (schema.Properties?.TryGetValue(member, out var p) == true && p is OpenApiSchema concrete)
        {
            concrete.Minimum = "0";
            concrete.Maximum = OutcomeAmounts.Max.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static void Describe(OpenApiSchema schema, string member, string description)
    {
        if (schema.Properties?.TryGetValue(member, out var p) == true && p is OpenApiSchema concrete)
        {
            concrete.Description = description;
        }
    }

    private static OpenApiSchema OneOf(OperationFilterContext context, Type single, Type batch) => new()
    {
        OneOf = [context.SchemaGenerator.GenerateSchema(single, context.SchemaRepository), context.SchemaGenerator.GenerateSchema(batch, context.SchemaRepository)],
    };
}
