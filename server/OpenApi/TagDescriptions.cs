using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CreditRisk.Server.OpenApi;

/// <summary>One sentence per tag, so the rendered docs say what each group is for.</summary>
public sealed class TagDescriptions : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        swaggerDoc.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = "Scoring", Description = "Probability of default, decision and reasons for one applicant or a batch." },
            new() { Name = "Model", Description = "The model being served: version, threshold, training metrics, and the data set spec it reads." },
            new() { Name = "Monitoring", Description = "The model in production: drift against training, calibration and realised cost on the outcomes fed back; aggregates only." },
            new() { Name = "Decisions", Description = "The record of every decision (inputs, model, reasons) and the outcomes fed back; API key only." },
            new() { Name = "Monitoring", Description = "The model in production: the challenger scored in shadow against the served model, from the decision store." },
            new() { Name = "Reviews", Description = "Human oversight: referred decisions waiting for a person, reviews and overrides (append-only, the original kept), and the adverse-action notice; a reviewer's key." },
        };
    }
}
