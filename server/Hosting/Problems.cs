using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using CreditRisk.Server.Model;

namespace CreditRisk.Server.Hosting;

/// <summary>RFC 9457 problem responses for the refusals the API documents. None carries exception details.</summary>
public static class Problems
{
    public static ProblemHttpResult UnsupportedMediaType() => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported media type",
        detail: "The request body must be JSON: send Content-Type: application/json.");

    public static ProblemHttpResult TooLarge(long maxBytes) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The request body may hold at most {maxBytes} bytes (Limits:MaxRequestBodyBytes).");

    public static ProblemHttpResult BatchTooLarge(int maxBatchSize) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Batch too large",
        detail: $"A batch may hold at most {maxBatchSize} applicants (Scoring:MaxBatchSize); split it into smaller batches.");

    public static ProblemHttpResult FromBadRequest(BadHttpRequestException e) => TypedResults.Problem(
        statusCode: e.StatusCode,
        title: ReasonPhrase(e.StatusCode),
        detail: e.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? "The request body is larger than the server accepts (Limits:MaxRequestBodyBytes)."
            : "The request could not be read.");

    public static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";

    /// <summary>
    /// Turns exceptions that escape endpoints into problem responses: Kestrel's request errors keep their status;
    /// anything else is a 500 that says nothing about the exception (it is logged instead).
    /// </summary>
    public sealed class ExceptionHandler(IProblemDetailsService problems, ModelFaults faults, ILogger<ExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is ModelOutputException output)
            {
                faults.Record(output, httpContext.Request.Path);
                httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                // Another instance may be healthy: readiness turns off after Model:MaxBadOutputs of these.
                httpContext.Response.Headers.RetryAfter = "5";
                return await problems.TryWriteAsync(new ProblemDetailsContext
                {
                    HttpContext = httpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status503ServiceUnavailable,
                        Title = "Model output rejected",
                        Detail = "The model returned a value that is not a probability; nothing was scored.",
                    },
                });
            }

            // The writer's refusal, or a read of the decision endpoints failing on the database (SQLite, Npgsql).
            if (exception is Records.StoreUnavailableException or System.Data.Common.DbException)
            {
                // No 200 without its record: the client retries, here or on another instance.
                httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                httpContext.Response.Headers.RetryAfter = "1";
                return await problems.TryWriteAsync(new ProblemDetailsContext
                {
                    HttpContext = httpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status503ServiceUnavailable,
                        Title = "Decision store unavailable",
                        Detail = exception is Records.StoreUnavailableException
                            ? "The decision could not be recorded, so none is returned; retry later."
                            : "The decision store could not be reached; retry later.",
                    },
                });
            }

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
    }
}
