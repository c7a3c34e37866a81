using CreditRisk.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Records;

/// <summary>Deletes records older than Records:RetentionDays, at start and then every Records:PurgeIntervalMinutes.</summary>
public sealed class RetentionPurge(IOptions<RecordsOptions> options, DecisionStore store, ILogger<RetentionPurge> logger) : BackgroundService
{
    private readonly RecordsOptions _options = options.Value;

    /// <summary>One purge as of <paramref name="now"/>: deletes decisions made more than RetentionDays before it.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cutoff = now - TimeSpan.FromDays(_options.RetentionDays);
        var deleted = await store.PurgeAsync(cutoff, cancellationToken);
        Log.Purged(logger, deleted, cutoff);
        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled || _options.RetentionDays == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(_options.PurgeIntervalMinutes));
        try
        {
            do
            {
                try
                {
                    await PurgeAsync(DateTimeOffset.UtcNow, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.PurgeFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // Stopping: the next start purges. (A host that failed to start, e.g. on a busy port, is disposed without
            // stopping first, and that cancels the timer's wait; it is not a failure of the purge.) Retention is on by
            // default now (762 days), so this runs on every server.
        }
    }
}
