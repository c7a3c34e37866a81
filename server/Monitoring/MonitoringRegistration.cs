using CreditRisk.Server.Hosting;
using CreditRisk.Server.Records;
using Microsoft.Extensions.Options;
using Prometheus;

namespace CreditRisk.Server.Monitoring;

public static class MonitoringRegistration
{
    /// <summary>The monitoring settings (validated at start) and the cached report.</summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services)
    {
        services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MonitoringCache>();
        return services;
    }

    /// <summary>
    /// Brings the monitoring gauges of every served model up to date before each /metrics scrape (from the cache, so at
    /// most one store read per model and refresh period). A failing store fails no scrape: the last figures stay and a
    /// warning is logged.
    /// </summary>
    public static void PublishMonitoringOnScrape(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<RecordsOptions>>().Value.Enabled)
        {
            return;
        }

        var cache = app.Services.GetRequiredService<MonitoringCache>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MonitoringCache).FullName!);
        var stopping = app.Lifetime.ApplicationStopping;
        Metrics.DefaultRegistry.AddBeforeCollectCallback(async cancellationToken =>
        {
            // The registry is the process's: once this app stops (a test host disposed), its models are no one's to publish or remove.
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await cache.PublishAllAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.MonitoringFailed(logger, e);
            }
        });
    }
}
