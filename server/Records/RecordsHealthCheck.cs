using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CreditRisk.Server.Records;

/// <summary>Readiness: not ready once the store has failed for Records:UnreadyAfterSeconds; each probe also tries the store.</summary>
public sealed class RecordsHealthCheck(DecisionRecorder recorder) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!recorder.Enabled)
        {
            return HealthCheckResult.Healthy("recording off");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        await recorder.ProbeAsync(timeout.Token);
        return recorder.FailingTooLong ? HealthCheckResult.Unhealthy("decision store failing") : HealthCheckResult.Healthy();
    }
}
