using Carter;
using CreditRisk.Server.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CreditRisk.Server.Challenger;

/// <summary>GET /api/v1/monitoring/challenger: champion against challenger on the decisions both scored.</summary>
public sealed class ChallengerModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapApiGroup("/api/v1", ApiAccess.Aggregates).MapGet("/monitoring/challenger", GetChallenger)
            .WithName("GetChallengerComparison")
            .WithTags("Monitoring")
            .WithSummary("Champion against challenger")
            .WithDescription(
                "The default model's version serving now (champion) against the challenger scored in shadow (Model:ChallengerPath), over the latest " +
                "Challenger:WindowDecisions decisions both scored, read from the decision store (so every instance sharing it agrees): " +
                "the disagreement rate; once outcomes are fed back, the realised cost per matured applicant of each (the champion's " +
                "cost weights), the paired mean difference challenger minus champion with its 95 % interval (negative = the challenger " +
                "is cheaper; null below two matured applicants), and the challenger's cost with its PDs cut at the champion's threshold. " +
                "Recomputed at most every Monitoring:RefreshSeconds, like GET /api/v1/monitoring; computedAt says when. " +
                "Aggregates only, no applicant data; like GET /api/v1/monitoring it needs the X-API-Key whenever a key is configured " +
                "(ApiKey:Key). The comparison follows the champion: after a swap of the default model it reads the pairs of the new " +
                "version only. 404 when no challenger is configured, and while the default model serves the challenger's own file " +
                "(after POST /api/v1/models/{name}/promote the shadow is retired; a rollback resumes it); the problem's detail says which. " +
                "Promotion: docs/monitoring.md.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    public static async Task<Results<Ok<ChallengerReport>, ProblemHttpResult>> GetChallenger(ShadowScorer shadow, ChallengerCache cache, CancellationToken cancellationToken)
    {
        if (shadow.Challenger is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No challenger configured",
                detail: "This server scores no challenger in shadow; set Model:ChallengerPath to the ONNX file of one with the served model's inputs.");
        }

        return await cache.GetAsync(cancellationToken) is { } report
            ? TypedResults.Ok(report)
            : TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "The challenger is not in shadow",
                detail: shadow.NotShadowing(shadow.Champion) ?? "The challenger shadows no one now.");
    }
}
