using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Server.Hosting;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// The monitoring of one version of one served model: its window (that version's decisions only) against its own card's
/// baseline, recomputed from the store at most once per <see cref="MonitoringOptions.RefreshSeconds"/> and only when
/// someone asks. One computation at a time; callers during it wait for its result instead of starting their own. When
/// the model serves another version, <see cref="MonitoringCache"/> retires this one: its gauges are removed.
/// </summary>
internal sealed class VersionMonitoring : IDisposable
{
    private readonly string _name;
    private readonly DecisionStore _store;
    private readonly MonitoringOptions _options;
    private readonly JsonSerializerOptions _json;
    private readonly Lazy<MoneyInterval?> _nestedMoney;
    private readonly Lazy<IReadOnlyDictionary<string, double[]>> _fairnessCuts;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _gauges = new();
    private MonitoringReport? _report;
    private MonitoringReport? _published;
    private bool _retired;

    // The report as the response body, serialised once per computation with the app's own JSON settings: a client
    // polling the endpoint then costs a copy, not a serialisation of every figure (issue 26: polling moved scoring).
    private byte[] _bytes = [];
    private long _computedAt;

    public VersionMonitoring(string name, CreditModel model, DecisionStore store, MonitoringOptions options, JsonSerializerOptions json, ILogger logger)
    {
        _name = name;
        Model = model;
        _store = store;
        _options = options;
        _json = json;

        // Read once, at the first report: the nested-CV money per loan of a loan-basis model (a file beside the model).
        _nestedMoney = new(() =>
        {
            var (interval, missing) = NestedMoney.Read(model.Path, model.Card);
            if (missing is not null)
            {
                Log.NoNestedMoney(logger, missing);
            }

            return interval;
        });

        // Read once, too: the report's fairness-group cut points for protected numbers (a borrower's years, say), from the training summary.
        _fairnessCuts = new(() =>
        {
            var (cuts, missing) = FairnessCuts.Read(model.Path, model.Card);
            if (missing is not null)
            {
                Log.NoFairnessCuts(logger, missing);
            }

            return cuts;
        });
    }

    /// <summary>The version this monitoring reads (its card, path and version only: the session may be disposed after a swap).</summary>
    public CreditModel Model { get; }

    /// <summary>The latest report as UTF-8 JSON, exactly as <c>TypedResults.Ok(report)</c> would write it.</summary>
    public async Task<byte[]> GetJsonAsync(CancellationToken cancellationToken)
    {
        await GetAsync(cancellationToken);
        return Volatile.Read(ref _bytes);
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
            var window = await _store.ReadWindowAsync(Model.Version, _options.WindowDecisions, since, cancellationToken);
            var report = MonitoringFigures.Of(Model.Card, Model.Version, window, _options, now, _nestedMoney.Value, _fairnessCuts.Value) with { Model = _name };
            Publish(report);
            Volatile.Write(ref _bytes, JsonSerializer.SerializeToUtf8Bytes(report, _json));
            Volatile.Write(ref _report, report);
            Volatile.Write(ref _computedAt, Environment.TickCount64);
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The version no longer serves: its gauges go, and a computation still running publishes none.</summary>
    public void Retire()
    {
        lock (_gauges)
        {
            _retired = true;
            if (_published is { } last)
            {
                MonitoringMetrics.Remove(last);
            }
        }
    }

    private void Publish(MonitoringReport report)
    {
        lock (_gauges)
        {
            if (!_retired)
            {
                MonitoringMetrics.Publish(report);
                _published = report;
            }
        }
    }

    private MonitoringReport? Fresh() =>
        Volatile.Read(ref _report) is { } r && Environment.TickCount64 - Volatile.Read(ref _computedAt) < _options.RefreshSeconds * 1000L ? r : null;

    public void Dispose() => _gate.Dispose();
}
