using System.Globalization;
using CreditRisk.Server.Model;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CreditRisk.Server.OpenApi;

/// <summary>The document's title and description name the data set of the served model, as its schemas do.</summary>
public sealed class ModelTitle(CreditModel model) : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        var spec = model.Spec;
        var card = model.Card;
        swaggerDoc.Info.Title = $"CreditRisk scoring API: {spec.Title}";
        var fn = card.CostFalseNegative.ToString("0.##", CultureInfo.InvariantCulture);
        var fp = card.CostFalsePositive.ToString("0.##", CultureInfo.InvariantCulture);
        swaggerDoc.Info.Description =
            $"Scores loan applicants of the data set '{spec.Name}' ({spec.Title}: {spec.Inputs.Count()} model inputs) with the served " +
            $"ONNX model: probability of default, an approve/reject decision at the cost-optimal threshold (a missed bad loan " +
            $"costs {fn}, a rejected good one {fp}) and adverse-action reasons for " +
            "rejects. Errors are RFC 9457 problem+json.";
    }
}
