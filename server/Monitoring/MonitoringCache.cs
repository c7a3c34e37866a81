using CreditRisk.Contracts;
using CreditRisk.Server.Hosting;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// The latest monitoring report, recomputed from the store at most once per <see cref="MonitoringOptions.RefreshSeconds"/>
/// and only when someone asks (GET /api/v1/monitoring or a /metrics scrape): never on the scoring path. One computation
/// at a time; callers during it wait for its result instead of starting their own.
/// </summary>
public sealed class MonitoringCache(
    CreditModel model, DecisionStore store, IOptions<MonitoringOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<MonitoringCache> logger) : IDisposable
{
    // Read once, at the first report: the nested-CV money per loan of a loan-basis model (a file beside the model).
    private readonly Lazy<MoneyInterval?> _nestedMoney = new(() =>
    {
        var (interval, missing) = NestedMoney.Read(model.Path, model.Card);
        if (missing is not null)
        {
            Log.NoNestedMoney(logger, missing);
        }

        return interval;
    });

    // Read once, too: the report's fairness-group cut points for protected numbers (a borrower's years, say), from the training summary.
    private readonly Lazy<IReadOnlyDictionary<string, double[]>> _fairnessCuts = new(() =>
    {
        var (cuts, missing) = FairnessCuts.Read(model.Path, model.Card);
        if (missing is not null)
        {
            Log.NoFairnessCuts(logger, missing);
        }

        return cuts;
    });

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly MonitoringOptions _options = options.Value;
    private MonitoringReport? _report;

    // The report as the response body, serialised once per computation with the app's own JSON settings: a client
    // polling the endpoint then costs a copy, not a serialisation of every figure (issue 26: polling moved scoring).
    private byte[] _json = [];
    private long _computedAt;

    /// <summary>The latest report as UTF-8 JSON, exactly as <c>TypedResults.Ok(report)</c> would write it.</summary>
    public async Task<byte[]> GetJsonAsync(CancellationToken cancellationToken)
    {
        await GetAsync(cancellationToken);
        return Volatile.Read(ref _json);
    }

    public async Task<MonitoringReport> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh() is { } computedMeanwhile)
            {
                return computedMeanwhile;
            }

            var now = TimeProvider.System.GetUtcNow();
            var since = _options.WindowDays == 0 ? (DateTimeOffset?)null : now.AddDays(-_options.WindowDays);
            var window = await store.ReadWindowAsync(model.Version, _options.WindowDecisions, since, cancellationToken);
            var report = MonitoringFigures.Of(model.Card, model.Version, window, _options, now, _nestedMoney.Value, _fairnessCuts.Value);
            MonitoringMetrics.Publish(report);
            Volatile.Write(ref _json, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(report, json.Value.SerializerOptions));
            _report = report;
            _computedAt = Environment.TickCount64;
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    private MonitoringReport? Fresh() =>
        _report is { } r && Environment.TickCount64 - Volatile.Read(ref _computedAt) < _options.RefreshSeconds * 1000L ? r : null;

    public void Dispose() => _gate.Dispose();
}
