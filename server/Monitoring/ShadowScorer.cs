using System.Diagnostics;
using System.Threading.Channels;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// The challenger (Model:ChallengerPath), scored in shadow. Off the hot path by construction: once the champion's
/// records are committed, <see cref="Offer"/> hands the response's decision ids and applicant rows to a bounded queue
/// with TryWrite (O(1), never waits, never throws); one background worker scores them in batches (one ONNX Runtime
/// run per batch, no reasons) and writes the challenger's PD and decision beside the champion's. When the queue is
/// full, the challenger throws or its rows cannot be written, those decisions are dropped and counted
/// (creditrisk_challenger_dropped_total{reason}) and logged once per burst, without applicant data. The response was
/// already built from the champion alone, so it cannot depend on the challenger.
/// </summary>
public sealed partial class ShadowScorer : BackgroundService
{
    private readonly ChallengerOptions _options;
    private readonly CreditModel _champion;
    private readonly DecisionStore _store;
    private readonly ILogger<ShadowScorer> _logger;
    private readonly Channel<Item> _queue;

    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(100);

    // Set while decisions are being dropped, so a burst of drops is logged once (cleared by the next success).
    private int _dropping;
    private long _gaugesAt;
    private int _disposed;

    public ShadowScorer(
        IOptions<ModelOptions> model, IOptions<ChallengerOptions> options, IOptions<RecordsOptions> records, CreditModel champion, DecisionStore store, ILogger<ShadowScorer> logger)
    {
        _options = options.Value;
        _champion = champion;
        _store = store;
        _logger = logger;
        _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(_options.QueueLimit) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        if (model.Value.ResolvedChallengerPath is not { } path)
        {
            return;
        }

        if (!records.Value.Enabled)
        {
            throw new ModelLoadException(path, "a challenger is scored beside recorded decisions: Model:ChallengerPath needs Records:Enabled=true");
        }

        var challenger = new CreditModel(path);
        try
        {
            if (SameInputs(champion, challenger) is { } difference)
            {
                throw new ModelLoadException(path, $"the challenger must take the served model's inputs, but {difference}");
            }

            ModelChecks.CheckGolden(challenger);
        }
        catch
        {
            challenger.Dispose();
            throw;
        }

        Challenger = challenger;
        ChallengerMetrics.Info.WithLabels(challenger.Version, challenger.Card.Learner).Set(1);
    }

    /// <summary>The challenger, loaded and checked like the champion; null when none is configured.</summary>
    public CreditModel? Challenger { get; }

    /// <summary>
    /// Hands a response's committed decisions to the challenger. O(1) and never blocks: a full queue drops them.
    /// The rows are only read afterwards (each request builds its own), so they are not copied.
    /// </summary>
    public void Offer(IReadOnlyList<ApplicantRow> applicants, ScoreResult[] results)
    {
        if (Challenger is null || results.Length == 0)
        {
            return;
        }

        if (!_queue.Writer.TryWrite(new Item([.. applicants], results)))
        {
            Dropped("queue_full", results.Length, null);
        }
    }

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
            _champion.Version, _champion.Card.Learner, _champion.Threshold,
            challenger.Version, challenger.Card.Learner, challenger.Threshold,
            TimeProvider.System.GetUtcNow(), _options.WindowDecisions, comparison);
    }

    /// <summary>Null when the challenger reads the same inputs as the champion (names, kinds, categories, order), else what differs.</summary>
    public static string? SameInputs(CreditModel champion, CreditModel challenger)
    {
        var served = champion.Inputs.Select(p => champion.Features[p]).ToArray();
        var other = challenger.Inputs.Select(p => challenger.Features[p]).ToArray();
        if (!served.Select(f => f.Name).SequenceEqual(other.Select(f => f.Name), StringComparer.Ordinal))
        {
            return $"it takes [{string.Join(", ", other.Select(f => f.Name))}] and the served model [{string.Join(", ", served.Select(f => f.Name))}]";
        }

        for (var i = 0; i < served.Length; i++)
        {
            var (a, b) = (served[i], other[i]);
            // Rows are laid out by the champion's spec positions: the challenger must read each input at the same one.
            if (champion.Inputs[i] != challenger.Inputs[i] || a.Kind != b.Kind ||
                !(a.IsCategory ? a.Values.Select(v => v.Value) : []).SequenceEqual(b.IsCategory ? b.Values.Select(v => v.Value) : [], StringComparer.Ordinal))
            {
                return $"its input '{b.Name}' differs (kind, categories or position in the spec)";
            }
        }

        return null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Challenger is not { } challenger)
        {
            return;
        }

        var items = new List<Item>();
        var rows = new List<ModelRow>();
        var ids = new List<Guid>();
        var pd = new float[_options.MaxRowsPerRun];
        // Not stoppingToken: after SIGTERM the loop scores what is queued (StopAsync completes the queue).
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            // Let a batch gather unless it is full already: fewer, larger runs and transactions, so the worker takes
            // the cores and the store's write lock less often. Only the challenger's rows wait.
            if (_queue.Reader.Count < _options.MaxRowsPerRun && !stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Linger, CancellationToken.None);
            }

            items.Clear();
            rows.Clear();
            ids.Clear();
            while (rows.Count < _options.MaxRowsPerRun && _queue.Reader.TryPeek(out var next) &&
                (rows.Count == 0 || rows.Count + next.Results.Length <= _options.MaxRowsPerRun) && _queue.Reader.TryRead(out var item))
            {
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
                challenger.Predict(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows), pd);
            }
            catch (Exception e)
            {
                Dropped("model", rows.Count, e);
                continue;
            }

            var scored = new ChallengerDecision[rows.Count];
            for (var i = 0; i < scored.Length; i++)
            {
                scored[i] = new ChallengerDecision(ids[i], challenger.Version, challenger.Threshold, pd[i],
                    Decisions.Rejects(pd[i], challenger.Threshold) ? Decisions.Reject : Decisions.Approve);
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
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(cancellationToken);
        }
    }

    public override void Dispose()
    {
        // Registered as itself and as a hosted service (one instance), so the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Challenger?.Dispose();
        }

        base.Dispose();
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

    private sealed record Item(ApplicantRow[] Applicants, ScoreResult[] Results);
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
