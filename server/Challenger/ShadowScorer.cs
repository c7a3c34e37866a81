using System.Diagnostics;
using System.Threading.Channels;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;
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
/// </summary>
public sealed partial class ShadowScorer : BackgroundService
{
    private readonly ChallengerOptions _options;
    private readonly CreditModel _champion;
    private readonly DecisionStore _store;
    private readonly CommittedDecisions _committed;
    private readonly ILogger<ShadowScorer> _logger;
    private readonly ChannelReader<CommittedBatch>? _queue;

    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);

    // Set while decisions are being dropped, so a burst of drops is logged once (cleared by the next success).
    private int _dropping;
    private long _gaugesAt;

    public ShadowScorer(
        IOptions<ChallengerOptions> options, ChallengerModel challenger, CreditModel champion, DecisionStore store, CommittedDecisions committed, ILogger<ShadowScorer> logger)
    {
        _options = options.Value;
        _champion = champion;
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

    /// <summary>
    /// Reads the window's pairs and compares them (<see cref="ChampionChallenger.Compare"/>), refreshing the gauges.
    /// Null when no challenger is configured.
    /// </summary>
    public async Task<ChallengerReport?> CompareAsync(CancellationToken cancellationToken)
    {
        if (Challenger is not { } challenger)
        {
            return null;
        }

        var pairs = await _store.ReadPairsAsync(_champion.Version, challenger.Version, _options.WindowDecisions, cancellationToken);
        var comparison = ChampionChallenger.Compare(pairs, _champion.Threshold, _champion.Card.CostFalseNegative, _champion.Card.CostFalsePositive);
        ChallengerMetrics.Set(_champion.Version, challenger.Version, comparison);
        Interlocked.Exchange(ref _gaugesAt, Stopwatch.GetTimestamp());
        return new ChallengerReport(
            _champion.Version, _champion.Card.DescribeLearner(), _champion.Threshold,
            challenger.Version, challenger.Card.DescribeLearner(), challenger.Threshold,
            TimeProvider.System.GetUtcNow(), _options.WindowDecisions, comparison);
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
                // The challenger takes the champion's inputs: another served model's applicants are not its to score.
                if (item.Model != _champion.Spec.Name)
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
