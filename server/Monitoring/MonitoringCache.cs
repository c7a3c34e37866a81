using System.Collections.Concurrent;
using CreditRisk.Contracts;
using CreditRisk.Server.Records;
using CreditRisk.Server.Scoring;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// The monitoring of every served model, each following the version its model serves now (<see cref="ModelRegistry"/>):
/// one <see cref="VersionMonitoring"/> per model, replaced when a swap, a promotion or a rollback changes the version
/// (the replaced version's gauges are removed). Reports are computed only when someone asks (GET
/// /api/v1/models/{name}/monitoring, GET /api/v1/monitoring, a /metrics scrape): never on the scoring path.
/// </summary>
public sealed class MonitoringCache(
    ModelRegistry registry, DecisionStore store, IOptions<MonitoringOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<MonitoringCache> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, VersionMonitoring> _models = new(StringComparer.Ordinal);
    private readonly Lock _replacing = new();

    /// <summary>The named model's latest report as UTF-8 JSON; null when no model of that name serves.</summary>
    public async Task<byte[]?> GetJsonAsync(string name, CancellationToken cancellationToken) =>
        For(name) is { } monitoring ? await monitoring.GetJsonAsync(cancellationToken) : null;

    /// <summary>The named model's latest report; null when no model of that name serves.</summary>
    public async Task<MonitoringReport?> GetAsync(string name, CancellationToken cancellationToken) =>
        For(name) is { } monitoring ? await monitoring.GetAsync(cancellationToken) : null;

    /// <summary>Brings every served model's gauges up to date (a scrape), and removes those of models no longer served.</summary>
    public async Task PublishAllAsync(CancellationToken cancellationToken)
    {
        var serving = registry.Serving.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in serving)
        {
            if (For(name) is { } monitoring)
            {
                await monitoring.GetAsync(cancellationToken);
            }
        }

        foreach (var gone in _models.Keys.Where(n => !serving.Contains(n)))
        {
            lock (_replacing)
            {
                if (registry.Find(gone) is null && _models.TryRemove(gone, out var unloaded))
                {
                    unloaded.Retire();
                }
            }
        }
    }

    /// <summary>The monitoring of the version <paramref name="name"/> serves now: a new one after a swap, the old one retired.</summary>
    private VersionMonitoring? For(string name)
    {
        if (registry.Find(name) is not { } served)
        {
            return null;
        }

        if (_models.TryGetValue(name, out var current) && current.Model.Version == served.Model.Version)
        {
            return current;
        }

        lock (_replacing)
        {
            if (_models.TryGetValue(name, out current) && current.Model.Version == served.Model.Version)
            {
                return current;
            }

            var next = new VersionMonitoring(name, served.Model, store, options.Value, json.Value.SerializerOptions, logger);
            _models[name] = next;
            current?.Retire();
            return next;
        }
    }

    public void Dispose()
    {
        foreach (var monitoring in _models.Values)
        {
            monitoring.Dispose();
        }
    }
}
