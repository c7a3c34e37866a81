using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Records;

/// <summary>GET /api/v1/decisions/{id} and GET /api/v1/decisions: the records, for audits and adverse-action letters. They hold applicant data: API key only.</summary>
public sealed class DecisionsModule : ICarterModule
{
    public const int MaxLimit = 1000;

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var decisions = app.MapApiGroup("/api/v1/decisions", ApiAccess.Records)
            .WithTags("Decisions")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        decisions.MapGet("/{id:guid}", GetDecision)
            .WithName("GetDecision")
            .WithSummary("One decision record")
            .WithDescription(
                "What was decided for one application: time, model version, threshold, PD, decision, reasons, every field " +
                $"the request sent (protected attributes included), its outcome once fed back (the latest, which monitoring counts) and " +
                $"outcomeHistory: every outcome posted for it, oldest first, corrections included. Needs the {ApiKeyOptions.Header} header.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        decisions.MapGet("", ListDecisions)
            .WithName("ListDecisions")
            .WithSummary("Decision records, a page at a time")
            .WithDescription(
                "Records oldest first (by decision id, a UUIDv7), filtered by applicationId and by time [from, to). " +
                $"limit is 1 to {MaxLimit} (default 100); pass the page's 'next' as 'after' for the next page. Needs the {ApiKeyOptions.Header} header.");
    }

    public static async Task<Results<Ok<DecisionRecord>, ProblemHttpResult>> GetDecision(
        Guid id, DecisionStore store, IOptions<RecordsOptions> options, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return RecordingOff();
        }

        return await store.GetAsync(id, cancellationToken) is { } record
            ? TypedResults.Ok(record)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown decision", detail: $"No decision has the id {id}.");
    }

    public static async Task<Results<Ok<DecisionPage>, ValidationProblem, ProblemHttpResult>> ListDecisions(
        DecisionStore store, IOptions<RecordsOptions> options, CancellationToken cancellationToken,
        string? applicationId = null, DateTimeOffset? from = null, DateTimeOffset? to = null, Guid? after = null, int limit = 100)
    {
        if (!options.Value.Enabled)
        {
            return RecordingOff();
        }

        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"must be 1 to {MaxLimit}"];
        }

        if (from is { } f && to is { } t && t <= f)
        {
            errors["to"] = ["must be after 'from'"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is not valid");
        }

        return TypedResults.Ok(await store.ListAsync(applicationId, from, to, after, limit, cancellationToken));
    }

    internal static ProblemHttpResult RecordingOff() => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Recording is off",
        detail: "This server records no decisions (Records:Enabled=false).");
}
