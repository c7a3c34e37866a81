using CreditRisk.Server.Monitoring;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Challenger;

/// <summary>
/// The latest challenger report for GET /api/v1/monitoring/challenger, recomputed at most once per
/// <see cref="MonitoringOptions.RefreshSeconds"/> (the monitoring report's setting) and only when someone asks. Computed
/// on every call it cost 76–161 ms of store reads, and two clients polling it halved the scoring throughput. One
/// computation at a time; callers during it wait for its result. The shadow worker's own gauge refreshes do not feed
/// it, so a report is never older than one refresh period counted from a GET. A report is of one champion version: once
/// the default model serves another, the next GET computes the new champion's.
/// </summary>
public sealed class ChallengerCache(ShadowScorer shadow, IOptions<MonitoringOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly long _refreshMilliseconds = options.Value.RefreshSeconds * 1000L;
    private ChallengerReport? _report;
    private long _computedAt;

    /// <summary>Null when no challenger is configured, or it shadows no one now (<see cref="ShadowScorer.NotShadowing"/>).</summary>
    public async Task<ChallengerReport?> GetAsync(CancellationToken cancellationToken)
    {
        if (shadow.Challenger is null)
        {
            return null;
        }

        var champion = shadow.Champion.Version;
        if (Fresh(champion) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(champion) is { } computedMeanwhile)
            {
                return computedMeanwhile;
            }

            var report = await shadow.CompareAsync(cancellationToken);
            Volatile.Write(ref _report, report);
            Volatile.Write(ref _computedAt, Environment.TickCount64);
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    private ChallengerReport? Fresh(string champion) =>
        Volatile.Read(ref _report) is { } r && r.ChampionVersion == champion && Environment.TickCount64 - Volatile.Read(ref _computedAt) < _refreshMilliseconds ? r : null;

    public void Dispose() => _gate.Dispose();
}
