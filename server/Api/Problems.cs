using System.Globalization;
using CreditRisk.Server.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CreditRisk.Server.Api;

/// <summary>RFC 9457 problem responses for the refusals the API documents. None carries exception details.</summary>
public static class Problems
{
    public static ProblemHttpResult UnsupportedMediaType() => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        detail: "The request body must be JSON (Content-Type: application/json), or for a batch also CSV (Content-Type: text/csv).");

    public static ProblemHttpResult TooLarge(long maxBytes) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The request body may hold at most {maxBytes} bytes (Limits:MaxRequestBodyBytes).");

    public static ProblemHttpResult BatchTooLarge(int maxBatchSize) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Batch too large",
        detail: $"A batch may hold at most {maxBatchSize} applicants (Scoring:MaxBatchSize); split it into smaller batches.");

    public static ProblemHttpResult UnknownModel(string name, IEnumerable<string> served) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown model",
        detail: $"No model named '{(name.Length > 64 ? name[..64] + "…" : name)}' is served; GET /api/v1/models lists them ({string.Join(", ", served)}).");

    public const string BusyDetail =
        "Scoring capacity and its queue are full (Limits:MaxConcurrentScores/ScoreQueueLimit, MaxConcurrentBatches/BatchQueueLimit); retry shortly.";

    public static ProblemHttpResult Busy() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Server busy", detail: BusyDetail);

    public static ProblemHttpResult CsvTooLarge(long maxBytes) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "File too large",
        detail: $"A CSV file may hold at most {maxBytes} bytes (Scoring:MaxCsvBytes); split it into smaller files.");

    public static ProblemHttpResult CsvSpoolFull(long budgetBytes) => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Server busy",
        detail: $"The uploads being scored hold the disk budget for CSV files ({budgetBytes} bytes, Scoring:MaxCsvSpoolBytes); retry later.");

    public static ProblemHttpResult CsvTooManyRows(int maxRows) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "File too long",
        detail: $"A CSV file may hold at most {maxRows} applicant rows (Scoring:MaxCsvRows); split it into smaller files.");

    public static ProblemHttpResult FromBadRequest(BadHttpRequestException e) => TypedResults.Problem(
        statusCode: e.StatusCode,
        title: ReasonPhrase(e.StatusCode),
        detail: e.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? "The request body is larger than the server accepts (Limits:MaxRequestBodyBytes)."
            : "The request could not be read.");

    public static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";

    /// <summary>A 503 problem that says when to retry (the header the OpenAPI document promises on every 503).</summary>
    public static ValueTask<bool> UnavailableAsync(IProblemDetailsService problems, HttpContext httpContext, int retryAfterSeconds, string title, string detail)
    {
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = title, Detail = detail },
        });
    }

    /// <summary>
    /// Turns exceptions that escape endpoints into problem responses: Kestrel's request errors keep their status;
    /// anything else is a 500 that says nothing about the exception (it is logged instead). It runs after the features'
    /// own handlers (the model's bad output, the decision store's failures), which answer 503.
    /// </summary>
    public sealed class ExceptionHandler(IProblemDetailsService problems, ILogger<ExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            var status = exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                // The client broke the connection while sending: its request, not our fault (and nobody is listening).
                IOException => StatusCodes.Status400BadRequest,
                OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => StatusCodes.Status408RequestTimeout,
                _ => StatusCodes.Status500InternalServerError,
            };
            if (status >= 500)
            {
                Log.Unhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            }

            httpContext.Response.StatusCode = status;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = null,
                ProblemDetails = new ProblemDetails
                {
                    Status = status,
                    Title = ReasonPhrase(status),
                    Detail = status >= 500 ? "The server could not process the request." : "The request could not be processed.",
                },
            });
        }
    }

    /// <summary>Keeps a trace of where the problem happened without echoing anything the client sent.</summary>
    internal static void Customize(ProblemDetailsContext context)
    {
        context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
        context.ProblemDetails.Extensions.Remove("exception");
        context.ProblemDetails.Extensions["requestId"] = context.HttpContext.TraceIdentifier;
        // The Open Inference Protocol's error responses are {"error": …}; Triton's clients read that member from any
        // answer that is not 200. A refusal before a /v2 handler runs (the key rule, the rate limit) carries it too.
        if (context.HttpContext.Request.Path.StartsWithSegments("/v2"))
        {
            context.ProblemDetails.Extensions["error"] = context.ProblemDetails.Detail ?? context.ProblemDetails.Title;
        }
    }
}
