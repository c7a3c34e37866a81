using CreditRisk.Server.Api;
using Microsoft.AspNetCore.Diagnostics;

namespace CreditRisk.Server.Records;

/// <summary>
/// The writer's refusal (<see cref="StoreUnavailableException"/>), or a read of the decision endpoints failing on the
/// database (SQLite, Npgsql): 503 with Retry-After, never a 200 without its record.
/// </summary>
public sealed class StoreFailureHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
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
