using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.Swagger;

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
                // Title and description name the served model's data set: ModelTitle fills them in.
                License = new OpenApiLicense { Name = "MIT", Url = new Uri("https://opensource.org/licenses/MIT") },
                Contact = new OpenApiContact { Name = "CreditRisk maintainers" },
            });
            // Relative, so "Try it out" calls whichever host served the page.
            o.AddServer(new OpenApiServer { Url = "/" });
            o.SchemaFilter<SpecSchemaFilter>();
            o.SchemaFilter<ResponseSchemaFilter>();
            o.OperationFilter<ExamplesFilter>();
            o.OperationFilter<RecordsDocs>();
            o.DocumentFilter<RecordsDocs>();
            o.DocumentFilter<TagDescriptions>();
            o.DocumentFilter<ModelTitle>();
        });
        return services;
    }

    public static WebApplication UseApiDocs(this WebApplication app)
    {
        // Swashbuckle serves the JSON; the YAML (the form committed as openapi.yaml) is written below.
        app.UseSwagger(o => o.RouteTemplate = "swagger/{documentName}/swagger.json");
        app.MapGet("/swagger/{documentName}/swagger.yaml", WriteYaml).ExcludeFromDescription();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "CreditRisk v1");
            o.DocumentTitle = "CreditRisk scoring API";
        });
        return app;
    }

    private static Results<ContentHttpResult, NotFound> WriteYaml(string documentName, ISwaggerProvider provider)
    {
        if (documentName != DocumentName)
        {
            return TypedResults.NotFound();
        }

        using var text = new StringWriter();
        provider.GetSwagger(documentName).SerializeAsV3(new Yaml11SafeWriter(text));
        return TypedResults.Text(text.ToString(), "text/yaml; charset=utf-8");
    }
}
