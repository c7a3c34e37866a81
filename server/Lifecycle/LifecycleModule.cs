using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CreditRisk.Server.Lifecycle;

/// <summary>POST /api/v1/models/{name}/promote and /rollback (the admin key), GET /api/v1/models/{name}/events.</summary>
public sealed class LifecycleModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var admin = app.MapApiGroup("/api/v1/models/{name}", ApiAccess.Admin).WithTags("Model")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            // The decision store down: the checks cannot be read, or the change not recorded.
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        admin.MapPost("/promote", Promote)
            .WithName("PromoteChallenger")
            .WithSummary("Make the challenger the champion")
            .WithDescription(
                "Checks the runbook's conditions (docs/monitoring.md) on the decisions both models scored: at least " +
                "Challenger:PromoteMinMatured matured pairs, the paired realised-cost interval (challenger minus champion) wholly below 0, " +
                "and the challenger's mean PD within Challenger:PromoteMaxCalibrationGap of the observed default rate. If they hold, the " +
                "challenger's file is loaded, verified and swapped in as the model's next version, with no request dropped; if not, 409 " +
                "lists each check. \"force\": true promotes anyway and needs requestedBy and reason, which the timeline keeps " +
                "(GET /api/v1/models/{name}/events). Only the default model has a challenger. Needs the admin key (ApiKey:AdminKey).")
            .Accepts<PromotionRequest>("application/json");
        admin.MapPost("/rollback", Rollback)
            .WithName("RollbackModel")
            .WithSummary("Restore the version served before")
            .WithDescription(
                "Swaps back the version this server served before the current one (after a promotion: the old champion), " +
                "verified again, with no request dropped; 409 when there is none. requestedBy and reason, if sent, go to the timeline. " +
                "Needs the admin key (ApiKey:AdminKey).")
            .Accepts<PromotionRequest>("application/json");

        app.MapApiGroup("/api/v1/models/{name}", ApiAccess.Aggregates).WithTags("Model").MapGet("/events", Events)
            .WithName("ListModelEvents")
            .WithSummary("The timeline of a model's versions")
            .WithDescription(
                "Every change of the version the model serves, newest first (at most 200): swaps from the repository, promotions " +
                "with their checks (and for a forced one who asked and why) and rollbacks. Decisions keep their own modelVersion. " +
                "Needs the X-API-Key whenever a key is configured (ApiKey:Key).")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    public static async Task<Results<Ok<PromotionResult>, ValidationProblem, ProblemHttpResult>> Promote(
        string name, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] PromotionRequest? request,
        Promotion promotion, CancellationToken cancellationToken)
    {
        request ??= new PromotionRequest();
        if (request.Force && Missing(request) is { } invalid)
        {
            return invalid;
        }

        return Answer(await promotion.PromoteAsync(name, request, cancellationToken), "The challenger is not promoted");
    }

    public static async Task<Results<Ok<PromotionResult>, ValidationProblem, ProblemHttpResult>> Rollback(
        string name, [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] PromotionRequest? request,
        Promotion promotion, CancellationToken cancellationToken) =>
        Answer(await promotion.RollbackAsync(name, request ?? new PromotionRequest(), cancellationToken), "Nothing was rolled back");

    public static async Task<Ok<IReadOnlyList<ModelEvent>>> Events(string name, DecisionStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ReadModelEventsAsync(name, 200, cancellationToken));

    private static Results<Ok<PromotionResult>, ValidationProblem, ProblemHttpResult> Answer(PromotionOutcome outcome, string title) =>
        outcome.Done is { } done
            ? TypedResults.Ok(done)
            : TypedResults.Problem(statusCode: outcome.Status, title: title, detail: outcome.Refusal,
                extensions: outcome.Checks.Count > 0 ? new Dictionary<string, object?> { ["checks"] = outcome.Checks } : null);

    /// <summary>A forced promotion says who asked and why: the override is on the record.</summary>
    private static ValidationProblem? Missing(PromotionRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.RequestedBy) || request.RequestedBy.Length > 200 || FreeText.HasControlCharacter(request.RequestedBy))
        {
            errors["requestedBy"] = ["is required with force: who overrides the checks (at most 200 characters, no control characters)"];
        }

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 2000 || FreeText.HasControlCharacter(request.Reason))
        {
            errors["reason"] = ["is required with force: why the checks are overridden (at most 2000 characters, no control characters)"];
        }

        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, title: "A forced promotion needs who and why",
            detail: "Each entry of 'errors' names a field and the rule it breaks.");
    }
}
