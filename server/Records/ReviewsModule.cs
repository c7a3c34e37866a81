using System.Buffers;
using System.Text.Json;
using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Records;

/// <summary>
/// Human oversight (issue 30): the queue of referred decisions, one application as a reviewer sees it, and a reviewer's
/// decision on any recorded one (a referred application's review, or an override). Reviews are append-only: the
/// decision and earlier reviews are never changed. Reviewer keys only (ApiKey:Reviewers): the key's name is who decided.
/// </summary>
public sealed class ReviewsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var reviews = app.MapApiGroup("/api/v1/reviews", ApiAccess.Review)
            .WithTags("Reviews")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        reviews.MapGet("", ListReviews)
            .WithName("ListReviews")
            .WithSummary("The review queue: referred decisions, oldest first")
            .WithDescription(
                $"status={ReviewStatus.Pending} (default): referred decisions no one has reviewed; status={ReviewStatus.Reviewed}: those decided " +
                $"by a person, with their reviews. Oldest first (by decision id); limit 1 to {DecisionsModule.MaxLimit} (default 50); pass 'next' " +
                $"as 'after' for the next page. Needs a reviewer's key (ApiKey:Reviewers) in the {ApiKeyOptions.Header} header.");

        reviews.MapGet("/{id:guid}", GetReview)
            .WithName("GetReview")
            .WithSummary("One application as a reviewer sees it")
            .WithDescription("The decision record (PD, threshold, reasons, referReasons, every field sent) with its reviews, oldest first, " +
                $"and finalDecision, the decision in force. Needs a reviewer's key in the {ApiKeyOptions.Header} header.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapApiGroup("/api/v1/decisions", ApiAccess.Review)
            .WithTags("Reviews")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .MapPost("/{id:guid}/review", PostReview)
            .WithName("PostReview")
            .WithSummary("A reviewer's decision: review a referred application, or override any decision")
            .WithDescription(
                $"Body {{\"decision\": \"{Decisions.Approve}\" or \"{Decisions.Reject}\", \"reason\": \"why, in words\"}}. Appended to the decision's " +
                "reviews, never replacing the decision or an earlier review; the latest review is the decision in force. The reviewer is the name " +
                $"of the reviewer key sent in {ApiKeyOptions.Header}. A 200 means the review is committed.")
            .Accepts<ReviewRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    public static async Task<Results<Ok<ReviewQueuePage>, ValidationProblem, ProblemHttpResult>> ListReviews(
        DecisionStore store, IOptions<RecordsOptions> options, CancellationToken cancellationToken,
        string status = ReviewStatus.Pending, Guid? after = null, int limit = 50)
    {
        if (!options.Value.Enabled)
        {
            return DecisionsModule.RecordingOff();
        }

        var errors = new Dictionary<string, string[]>();
        if (status is not (ReviewStatus.Pending or ReviewStatus.Reviewed))
        {
            errors["status"] = [$"must be '{ReviewStatus.Pending}' or '{ReviewStatus.Reviewed}'"];
        }

        if (limit is < 1 or > DecisionsModule.MaxLimit)
        {
            errors["limit"] = [$"must be 1 to {DecisionsModule.MaxLimit}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The query is not valid");
        }

        return TypedResults.Ok(await store.ListReferredAsync(status, after, limit, cancellationToken));
    }

    public static Task<Results<Ok<DecisionRecord>, ProblemHttpResult>> GetReview(
        Guid id, DecisionStore store, IOptions<RecordsOptions> options, CancellationToken cancellationToken) =>
        DecisionsModule.GetDecision(id, store, options, cancellationToken);

    public static async Task<Results<Ok<ReviewRecord>, ValidationProblem, ProblemHttpResult>> PostReview(
        Guid id, HttpContext http, DecisionStore store, IOptions<RecordsOptions> options, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return DecisionsModule.RecordingOff();
        }

        var errors = new Dictionary<string, string[]>();
        var (body, problem) = await JsonBody.ReadAsync(http.Request, limits.Value.MaxRequestBodyBytes, b => Read(b, errors), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body is null || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The request is not a valid review",
                detail: "Each entry of 'errors' names a field and the rule it breaks; '$' is the body as a whole.");
        }

        ReviewRecord? review;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                review = await store.AddReviewAsync(id, body.Decision!, ApiKeys.Reviewer(http), body.Reason!, DateTimeOffset.UtcNow, cancellationToken);
                break;
            }
            catch (System.Data.Common.DbException e) when (attempt < 3 && store.IsRefusal(e))
            {
                // Two reviewers of one decision in the same millisecond: the second read the same latest review, so its
                // time collides (unique per decision). Read again: it then follows the first.
            }
        }

        if (review is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown decision", detail: $"No decision has the id {id}.");
        }

        RecordsMetrics.Reviews.WithLabels(review.Overrides ? "override" : "review").Inc();
        return TypedResults.Ok(review);
    }

    private const string DecisionRule = $"must be \"{Decisions.Approve}\" or \"{Decisions.Reject}\": a person decides; referring again is not a decision";

    private static readonly string ReasonRule = $"must be text of 1 to {ReviewRequest.MaxReasonLength} characters: why, in words (it is kept with the review)";

    /// <summary>The body's two fields, each refusal naming its field; null when the body is not a JSON object.</summary>
    private static ReviewRequest? Read(ReadOnlySequence<byte> body, Dictionary<string, string[]> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            errors["$"] = [$"is not valid JSON: {e.Message}"];
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors["$"] = ["must be a JSON object {\"decision\": …, \"reason\": …}"];
                return null;
            }

            string? decision = null, reason = null;
            foreach (var field in document.RootElement.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "decision" when field.Value.ValueKind == JsonValueKind.String:
                        decision = field.Value.GetString();
                        break;
                    case "reason" when field.Value.ValueKind == JsonValueKind.String:
                        reason = field.Value.GetString();
                        break;
                    case "decision" or "reason":
                        break;
                    case "reviewer":
                        errors["reviewer"] = ["is not taken from the body: the reviewer is the name of the key sent"];
                        break;
                    default:
                        errors[field.Name] = ["is not a field of a review (decision, reason)"];
                        break;
                }
            }

            if (decision is not (Decisions.Approve or Decisions.Reject))
            {
                errors["decision"] = [DecisionRule];
            }

            if (string.IsNullOrWhiteSpace(reason) || reason.Length > ReviewRequest.MaxReasonLength)
            {
                errors["reason"] = [ReasonRule];
            }

            return new ReviewRequest(decision, reason?.Trim());
        }
    }
}
