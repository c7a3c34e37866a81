using CreditRisk.Server.Api;
using Microsoft.AspNetCore.Diagnostics;

namespace CreditRisk.Server.Records;

/// <summary>
/// The writer's refusal (<see cref="StoreUnavailableException"/>), or a read of the decision endpoints failing on the
/// database (SQLite, Npgsql): 503 with Retry-After, never a 200 without its record. A record the store refused for its
/// own data (<see cref="RecordRefusedException"/>) is that request's 400 alone.
/// </summary>
public sealed class StoreFailureHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is RecordRefusedException)
        {
            // The store works but refused this request's data: a retry would be refused again, so not a 503.
            httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "Record refused",
                    Detail = "The decision store refused this request's data, so no decision is returned; other requests are not affected.",
                },
            });
        }

        if (exception is not (StoreUnavailableException or System.Data.Common.DbException))
        {
            return false;
        }

        // The client retries, here or on another instance.
        return await Problems.UnavailableAsync(problems, httpContext, retryAfterSeconds: 1, "Decision store unavailable",
            exception is StoreUnavailableException
                ? "The decision could not be recorded, so none is returned; retry later."
                : "The decision store could not be reached; retry later.");
    }
}
