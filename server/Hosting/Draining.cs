using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Hosting;

/// <summary>
/// Graceful stop for a server behind a load balancer. On SIGTERM readiness turns 503 at once, but the listener stays
/// open for <see cref="LimitsOptions.DrainSeconds"/> so the balancer notices and stops routing here; meanwhile every
/// response carries <c>Connection: close</c> so keep-alive clients reconnect elsewhere instead of being cut off
/// mid-stream. Then Kestrel stops accepting, requests in flight finish, and the process exits 0.
/// </summary>
public sealed class Draining(IOptions<LimitsOptions> limits, IHostApplicationLifetime lifetime, ILogger<Draining> logger) : IHostedLifecycleService
{
    /// <summary>The readiness check that is unhealthy while draining (registered in Health).</summary>
    public const string ReadinessCheck = "stopping";

    private volatile bool _draining;

    /// <summary>
    /// The health-check service logs every unhealthy check at Error, so each readiness probe during a drain would log
    /// "Health check stopping with status Unhealthy" as if a clean stop were a failure. The drain is expected and logged
    /// once at Information (<see cref="Log.Draining"/>); this event, and only this check's, is left out of the log.
    /// </summary>
    public static bool IsDrainProbeLog(Serilog.Events.LogEvent e) =>
        e.Properties.TryGetValue("HealthCheckName", out var name) && name is Serilog.Events.ScalarValue { Value: ReadinessCheck }
        && e.Properties.TryGetValue("SourceContext", out var source) && source is Serilog.Events.ScalarValue { Value: "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService" };

    public bool IsDraining => _draining;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() => _draining = true);
        return Task.CompletedTask;
    }

    /// <summary>Runs before any hosted service stops, Kestrel's included: the listener is still open while this waits.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var delay = TimeSpan.FromSeconds(limits.Value.DrainSeconds);
        Log.Draining(logger, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: stop now.
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>While draining, each response asks the client to close its connection.</summary>
    public static IApplicationBuilder UseConnectionCloseWhileDraining(IApplicationBuilder app)
    {
        var draining = app.ApplicationServices.GetRequiredService<Draining>();
        return app.Use((context, next) =>
        {
            // Decided when the response starts: a request that began just before SIGTERM is answered with it too.
            context.Response.OnStarting(() =>
            {
                if (draining.IsDraining)
                {
                    context.Response.Headers.Connection = "close";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
