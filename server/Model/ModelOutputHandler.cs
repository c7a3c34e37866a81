using CreditRisk.Server.Api;
using Microsoft.AspNetCore.Diagnostics;

namespace CreditRisk.Server.Model;

/// <summary>
/// A model output that is not a probability (<see cref="ModelOutputException"/>): counted toward readiness
/// (<see cref="ModelFaults"/>) and answered 503, since another instance may be healthy.
/// </summary>
public sealed class ModelOutputHandler(IProblemDetailsService problems, ModelFaults faults) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not ModelOutputException output)
        {
            return false;
        }

        faults.Record(output, httpContext.Request.Path);
        // Another instance may be healthy: readiness turns off after Model:MaxBadOutputs of these.
        return await Problems.UnavailableAsync(problems, httpContext, retryAfterSeconds: 5, "Model output rejected",
            "The model returned a value that is not a probability; nothing was scored.");
    }
}
