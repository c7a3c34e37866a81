using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Records;

/// <summary>GET /api/v1/decisions/{id}/notice: the adverse-action notice of a declined application, from its stored record (issue 30).</summary>
public sealed class NoticeModule : ICarterModule
{
    public const string Html = "text/html";
    public const string Text = "text/plain";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapApiGroup("/api/v1/decisions", ApiAccess.Review)
            .WithTags("Reviews")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .MapGet("/{id:guid}/notice", GetNotice)
            .WithName("GetNotice")
            .WithSummary("The adverse-action notice of a declined application")
            .WithDescription(
                "The notice for a decision whose decision in force is reject (automated, or a reviewer's): the lender (Notice:LenderName, " +
                $"Notice:LenderContact), the date, the principal reasons (at most {Reason.MaxPerReject}, the spec's words as recorded with the decision) " +
                "and the ECOA statement (Notice:EcoaStatement). Built from the stored record, never a re-score. As text/html or text/plain: " +
                $"?format=html or ?format=text, else by the Accept header (text/plain unless it asks for text/html). 409 when the decision in force is not a reject. " +
                $"Needs a reviewer's key in the {ApiKeyOptions.Header} header.")
            .Produces<string>(StatusCodes.Status200OK, Text, Html)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    public static async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> GetNotice(
        Guid id, HttpRequest request, DecisionStore store, IOptions<RecordsOptions> options, IOptions<NoticeOptions> notice,
        CancellationToken cancellationToken, string? format = null)
    {
        if (!options.Value.Enabled)
        {
            return DecisionsModule.RecordingOff();
        }

        if (format is not (null or "html" or "text"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["must be 'html' or 'text' (or absent: the Accept header decides)"] },
                title: "The query is not valid");
        }

        if (string.IsNullOrWhiteSpace(notice.Value.LenderName) || string.IsNullOrWhiteSpace(notice.Value.EcoaStatement))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No lender configured",
                detail: "Set Notice:LenderName (and Notice:LenderContact) and Notice:EcoaStatement: a notice names the creditor and states the ECOA notice.");
        }

        if (await store.GetAsync(id, cancellationToken) is not { } record)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown decision", detail: $"No decision has the id {id}.");
        }

        if (Notice.Of(record, notice.Value) is not { } letter)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No adverse action",
                detail: $"The decision in force is {record.FinalDecision}, not reject: there is no adverse action to give notice of.");
        }

        var html = format == "html" || (format is null && request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(Html, StringComparison.OrdinalIgnoreCase)));
        return html
            ? TypedResults.Content(letter.ToHtml(), Html + "; charset=utf-8")
            : TypedResults.Content(letter.ToText(), Text + "; charset=utf-8");
    }
}
