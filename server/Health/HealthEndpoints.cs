using CreditRisk.Server.Hosting;
using CreditRisk.Server.Model;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CreditRisk.Server.Health;

/// <summary>Liveness and readiness probes, mapped in every environment (load balancers need them).</summary>
public static class HealthEndpoints
{
    /// <summary>The tag of the readiness checks (also the Open Inference Protocol's server and model ready).</summary>
    public const string ReadyTag = "ready";

    public static IServiceCollection AddModelHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ModelHealthCheck>("model", tags: [ReadyTag])
            .AddCheck<StoppingHealthCheck>(Draining.ReadinessCheck, tags: [ReadyTag]);
        return services;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        // Live: the process answers. Ready: the model is loaded and its warm-up scoring passed, and the decision store works.
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).ReadOnly();
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(ReadyTag) }).ReadOnly();
        return app;
    }

    /// <summary>Not ready once SIGTERM arrived: load balancers stop routing here during the drain delay.</summary>
    private sealed class StoppingHealthCheck(Draining draining) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(draining.IsDraining ? HealthCheckResult.Unhealthy("stopping") : HealthCheckResult.Healthy());
    }

    /// <summary>
    /// The model is constructed only after its checks and warm-up run pass, so "constructed" means "ready", until it
    /// has returned too many outputs that are not probabilities (<see cref="ModelFaults"/>).
    /// </summary>
    private sealed class ModelHealthCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var model = services.GetRequiredService<CreditModel>();
                var faults = services.GetRequiredService<ModelFaults>();
                return Task.FromResult(faults.Healthy
                    ? HealthCheckResult.Healthy($"model {model.Version}")
                    : HealthCheckResult.Unhealthy($"model {model.Version} returned {faults.Count} outputs that are not probabilities"));
            }
            catch (ModelLoadException e)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy(e.Message));
            }
        }
    }
}
