using System.Diagnostics;
using System.Threading.Channels;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;
using CreditRisk.Server.Scoring;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Challenger;

/// <summary>
/// The challenger (<see cref="ChallengerModel"/>) scored in shadow. Off the hot path by construction: the recorder
/// publishes each response's committed decisions on a bounded queue (<see cref="CommittedDecisions"/>, TryWrite: O(1),
/// never waits, never throws); this worker reads them and scores them in batches (one ONNX Runtime run per batch, no
/// reasons), writing the challenger's PD and decision beside the champion's. When the queue is full, the challenger
/// throws or its rows cannot be written, those decisions are dropped and counted
/// (creditrisk_challenger_dropped_total{reason}) and logged once per burst, without applicant data. The response was
/// already built from the champion alone, so it cannot depend on the challenger.
/// The champion is the version the default model serves now (<see cref="ModelRegistry"/>), so the comparison follows
/// swaps and promotions. While the champion IS the challenger's file (after a promotion) the shadow is retired: there is
/// nothing to compare, and a rollback brings it back (<see cref="NotShadowing"/>).
/// </summary>
public sealed partial class ShadowScorer : BackgroundService
{
    private readonly ChallengerOptions _options;
    private readonly ModelRegistry _registry;
    private readonly DecisionStore _store;
    private readonly CommittedDecisions _committed;
    private readonly ILogger<ShadowScorer> _logger;
    private readonly ChannelReader<CommittedBatch>? _queue;

    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);

    // Set while decisions are being dropped, so a burst of drops is logged once (cleared by the next success).
    private int _dropping;
    private long _gaugesAt;

    // Why the shadow does not score a champion version (null: it does), decided once per version.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> _notShadowing = new(StringComparer.Ordinal);

    // The champion version the comparison's gauges were last set for, so they go when it no longer serves.
    private string? _gaugesFor;
    private readonly Lock _gauges = new();

    public ShadowScorer(
        IOptions<ChallengerOptions> options, ChallengerModel challenger, ModelRegistry registry, DecisionStore store, CommittedDecisions committed, ILogger<ShadowScorer> logger)
    {
        _options = options.Value;
        _registry = registry;
        _store = store;
        _committed = committed;
        _logger = logger;
        Challenger = challenger.Model;
        if (Challenger is not null)
        {
            _queue = committed.Subscribe(_options.QueueLimit, count => Dropped("queue_full", count, null));
        }
    }

    /// <summary>The challenger, loaded and checked like the champion; null when none is configured.</summary>
    public CreditModel? Challenger { get; }

    /// <summary>The champion: the version the default model serves now (its card and version; the session may be retired).</summary>
    public CreditModel Champion => _registry.Find(_registry.DefaultName)!.Model;

    /// <summary>
    /// Null when the challenger shadows <paramref name="champion"/>; else why not: the champion is the challenger's own
    /// file (promoted: the shadow is retired until a rollback), or a version whose inputs the challenger does not take.
    /// </summary>
    public string? NotShadowing(CreditModel champion)
    {
        if (Challenger is not { } challenger)
        {
            return "no challenger is configured (Model:ChallengerPath)";
        }

        return _notShadowing.GetOrAdd(champion.Version, _ =>
            champion.Version == challenger.Version
                ? $"'{champion.Spec.Name}' serves the challenger's own file ({challenger.Version}) since its promotion, so the shadow is retired: " +
                  $"there is nothing to compare. POST /api/v1/models/{champion.Spec.Name}/rollback restores the champion before it, and the shadow resumes."
                : ChallengerModel.SameInputs(champion, challenger) is { } difference
                    ? $"the challenger does not take the inputs of the version '{champion.Spec.Name}' serves now ({champion.Version}): {difference}. " +
                      "The shadow resumes when a version with its inputs serves."
                    : null);
    }

    /// <summary>
    /// Reads the window's pairs of the champion serving now and compares them (<see cref="ChampionChallenger.Compare"/>),
    /// refreshing the gauges. Null when no challenger is configured or it shadows no one now (<see cref="NotShadowing"/>).
    /// </summary>
    public async Task<ChallengerReport?> CompareAsync(CancellationToken cancellationToken)
    {
        var champion = Champion;
        if (Challenger is not { } challenger || NotShadowing(champion) is not null)
        {
            ForgetStaleGauges();
            return null;
        }

        var pairs = await _store.ReadPairsAsync(champion.Version, challenger.Version, _options.WindowDecisions, cancellationToken);
        var comparison = ChampionChallenger.Compare(pairs, champion.Threshold, champion.Card.CostFalseNegative, champion.Card.CostFalsePositive);
        lock (_gauges)
        {
            if (_gaugesFor is { } before && before != champion.Version)
            {
                ChallengerMetrics.Remove(before, challenger.Version);
            }

            ChallengerMetrics.Set(champion.Version, challenger.Version, comparison);
            _gaugesFor = champion.Version;
        }

        Interlocked.Exchange(ref _gaugesAt, Stopwatch.GetTimestamp());
        return new ChallengerReport(
            champion.Version, champion.Card.DescribeLearner(), champion.Threshold,
            challenger.Version, challenger.Card.DescribeLearner(), challenger.Threshold,
            TimeProvider.System.GetUtcNow(), _options.WindowDecisions, comparison);
    }

    /// <summary>
    /// Removes the comparison's gauges once their champion version no longer serves, or the shadow is retired: no store
    /// read, so a /metrics scrape can call it. The next comparison sets those of the champion serving now.
    /// </summary>
    public void ForgetStaleGauges()
    {
        if (Challenger is not { } challenger)
        {
            return;
        }

        var champion = Champion;
        lock (_gauges)
        {
            if (_gaugesFor is { } before && (before != champion.Version || NotShadowing(champion) is not null))
            {
                ChallengerMetrics.Remove(before, challenger.Version);
                _gaugesFor = null;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Challenger is not { } challenger || _queue is null)
        {
            return;
        }

        var items = new List<CommittedBatch>();
        var rows = new List<ModelRow>();
        var ids = new List<Guid>();
        var pd = new float[_options.MaxRowsPerRun];
        var decided = new GraphDecision[_options.MaxRowsPerRun];
        // Not stoppingToken: after SIGTERM the loop scores what is queued (StopAsync completes the queue).
        while (await _queue.WaitToReadAsync(CancellationToken.None))
        {
            // Let a batch gather unless it is full already: fewer, larger runs and transactions, so the worker takes
            // the cores and the store's write lock less often. Only the challenger's rows wait.
            if (_queue.Count < _options.MaxRowsPerRun && !stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Linger, CancellationToken.None);
            }

            items.Clear();
            rows.Clear();
            ids.Clear();
            while (rows.Count < _options.MaxRowsPerRun && _queue.TryPeek(out var next) &&
                (rows.Count == 0 || rows.Count + next.Results.Length <= _options.MaxRowsPerRun) && _queue.TryRead(out var item))
            {
                // Only the default model's decisions, and only of a version the challenger shadows: another served model's
                // applicants are not its to score, and the decisions of its own promoted file are not a comparison.
                if (item.Model.Spec.Name != _registry.DefaultName || NotShadowing(item.Model) is not null)
                {
                    continue;
                }

                items.Add(item);
                for (var i = 0; i < item.Results.Length; i++)
                {
                    if (item.Results[i].DecisionId is { } id)
                    {
                        rows.Add(new ModelRow(item.Applicants[i]));
                        ids.Add(id);
                    }
                }
            }

            if (rows.Count == 0)
            {
                continue;
            }

            if (pd.Length < rows.Count)
            {
                pd = new float[rows.Count];
            }

            try
            {
                if (decided.Length < rows.Count)
                {
                    decided = new GraphDecision[rows.Count];
                }

                // The challenger decides as its own file says (its own thresholds with loan-level economics).
                challenger.Predict(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows), pd, decided.AsSpan(0, rows.Count));
            }
            catch (Exception e)
            {
                Dropped("model", rows.Count, e);
                continue;
            }

            var scored = new ChallengerDecision[rows.Count];
            for (var i = 0; i < scored.Length; i++)
            {
                scored[i] = new ChallengerDecision(ids[i], challenger.Version, decided[i].Threshold, pd[i],
                    decided[i].Approve ? Decisions.Approve : Decisions.Reject);
            }

            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _store.InsertChallengerAsync(scored, timeout.Token);
            }
            catch (Exception e)
            {
                Dropped("store", scored.Length, e);
                continue;
            }

            ChallengerMetrics.Scored.Inc(scored.Length);
            if (Interlocked.Exchange(ref _dropping, 0) != 0)
            {
                Recovered(_logger);
            }

            await RefreshGauges();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The recorder completes the queue once it has flushed; this makes sure, whatever the order of stopping.
        _committed.Complete();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(cancellationToken);
        }
    }

    private async Task RefreshGauges()
    {
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _gaugesAt)) < TimeSpan.FromSeconds(_options.GaugeRefreshSeconds))
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await CompareAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Dropped("store", 0, e);
        }
    }

    private void Dropped(string reason, int count, Exception? exception)
    {
        ChallengerMetrics.Dropped.WithLabels(reason).Inc(count);
        if (Interlocked.Exchange(ref _dropping, 1) == 0)
        {
            // The exception names the model's or the store's problem; the applicants are never logged.
            Dropping(_logger, exception, reason);
        }
    }

    [LoggerMessage(200, LogLevel.Warning, "Challenger in shadow: dropping decisions ({Reason}); responses are unaffected. Logged once until it scores again")]
    private static partial void Dropping(ILogger logger, Exception? exception, string reason);

    [LoggerMessage(201, LogLevel.Information, "Challenger in shadow: scoring again")]
    private static partial void Recovered(ILogger logger);
}

/// <summary>
/// GET /api/v1/monitoring/challenger: the two models and their comparison over the latest
/// <see cref="WindowDecisions"/> decisions both scored, as computed at <see cref="ComputedAt"/> (served from a cache
/// for up to Monitoring:RefreshSeconds). Costs use the champion's cost weights.
/// </summary>
public sealed record ChallengerReport(
    string ChampionVersion,
    string ChampionLearner,
    double ChampionThreshold,
    string ChallengerVersion,
    string ChallengerLearner,
    double ChallengerThreshold,
    DateTimeOffset ComputedAt,
    int WindowDecisions,
    ChallengerComparison Comparison);
