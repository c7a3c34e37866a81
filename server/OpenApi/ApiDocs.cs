using Microsoft.OpenApi;

namespace CreditRisk.Server.OpenApi;

/// <summary>The OpenAPI document (Swashbuckle) and Swagger UI. The committed openapi.yaml at the repo root is this document.</summary>
public static class ApiDocs
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddApiDocs(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "CreditRisk scoring API",
                Version = "v1",
                Description =
                    "Scores loan applicants (the 20 attributes of the UCI Statlog German Credit data) with the shipped " +
                    "ONNX model: probability of default, an approve/reject decision at the cost-optimal threshold " +
                    "(a missed bad loan costs 5, a rejected good one 1) and adverse-action reasons for rejects. " +
                    "Errors are RFC 9457 problem+json.",
                License = new OpenApiLicense { Name = "MIT" },
            });
            // Relative, so "Try it out" calls whichever host served the page.
            o.AddServer(new OpenApiServer { Url = "/" });
            o.SchemaFilter<FeatureSchemaFilter>();
            o.OperationFilter<ExamplesFilter>();
        });
        return services;
    }

    public static WebApplication UseApiDocs(this WebApplication app)
    {
        // Serves /swagger/v1/swagger.json and /swagger/v1/swagger.yaml.
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "CreditRisk v1");
            o.DocumentTitle = "CreditRisk scoring API";
        });
        return app;
    }
}
