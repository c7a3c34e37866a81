using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CreditRisk.Server.Scoring.Input;

/// <summary>GET /api/v1/model/rules: the input rules in words, so the page states them as the server applies them.</summary>
public sealed class InputRulesModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/model/rules", GetInputRules)
            .WithName("GetInputRules")
            .WithTags("Model")
            .WithSummary("The served model's input rules")
            .WithDescription(
                "Each attribute of the data set spec: whether a value is required, its rule in words as a 400 states it (for JSON and " +
                "Open Inference tensors, a value that may be missing may also be null) and its rule for a CSV cell; and the cell texts that mean a missing value in a CSV " +
                "file besides an empty cell (the spec's source.missingValues, as the trainer reads them).")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(ApiPolicies.RateLimit);
    }

    public static Ok<InputRulesInfo> GetInputRules(InputRules rules) => TypedResults.Ok(Describe(rules));

    public static InputRulesInfo Describe(InputRules rules) => new(
        rules.MissingTokens,
        [.. rules.Fields.Select(f => new FieldRuleInfo(f.Name, f.Required, f.Words, f.CellText))]);
}
