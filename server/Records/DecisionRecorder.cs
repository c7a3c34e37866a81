using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using CreditRisk.Contracts;
using CreditRisk.Server.Hosting;
using CreditRisk.Server.Model;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Records;

/// <summary>
/// The one way a decision leaves the server: <see cref="RecordAsync"/> queues the records of a response and returns
/// once they are committed, so no decision is answered that is not recorded. A single background writer gathers the
/// records of concurrent requests into one transaction (group commit: one disk flush for many requests). When the
/// store fails, is saturated or too slow, the request gets <see cref="StoreUnavailableException"/> (503 with
/// Retry-After), never a 200. On SIGTERM the server stops taking requests first; the writer then commits what is queued.
/// </summary>
public sealed class DecisionRecorder : BackgroundService
{
    private readonly RecordsOptions _options;
    private readonly DecisionStore _store;
    private readonly CommittedDecisions _committed;
    private readonly ILogger<DecisionRecorder> _logger;
    private readonly Channel<Pending> _queue;
    private readonly TimeSpan _commitTimeout;

    // Stopwatch timestamp of the first failure since the last success; 0 while the store works.
    private long _failingSince;

    public DecisionRecorder(IOptions<RecordsOptions> options, DecisionStore store, CommittedDecisions committed, ILogger<DecisionRecorder> logger)
    {
        _committed = committed;
        _options = options.Value;
        _store = store;
        _logger = logger;
        _commitTimeout = TimeSpan.FromSeconds(_options.CommitTimeoutSeconds);
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_options.QueueLimit)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public bool Enabled => _options.Enabled;

    /// <summary>
    /// Records the decisions of one response (the applicants in request order, with their results) and returns the
    /// results stamped with their decision ids and the client's application ids. Await it before answering.
    /// <paramref name="model"/> is the model that decided: its spec lays out the applicant.
    /// </summary>
    /// <exception cref="StoreUnavailableException">Nothing is known to be committed: answer 503.</exception>
    public async Task<ScoreResult[]> RecordAsync(CreditModel model, IReadOnlyList<ApplicantRow> applicants, IReadOnlyList<ScoreResult> results)
    {
        var stamped = new ScoreResult[results.Count];
        if (!_options.Enabled)
        {
            for (var i = 0; i < results.Count; i++)
            {
                stamped[i] = results[i] with { ApplicationId = applicants[i].ApplicationId };
            }

            return stamped;
        }

        var now = DateTimeOffset.UtcNow;
        var records = new StoredDecision[results.Count];
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var id = Guid.CreateVersion7(now);
            stamped[i] = r with { DecisionId = id, ApplicationId = applicants[i].ApplicationId };
            records[i] = ToRecord(model, applicants[i], r, id, now);
        }

        var pending = new Pending(records);
        if (!_queue.Writer.TryWrite(pending))
        {
            RecordsMetrics.Refused.WithLabels("saturated").Inc();
            throw new StoreUnavailableException("the decision store's queue is full");
        }

        try
        {
            await pending.Committed.Task.WaitAsync(_commitTimeout);
        }
        catch (TimeoutException)
        {
            // The record may still be committed later: a record without a 200 is allowed, a 200 without one is not.
            RecordsMetrics.Refused.WithLabels("timeout").Inc();
            throw new StoreUnavailableException($"the decision store did not commit within {_options.CommitTimeoutSeconds} s");
        }

        // Committed: published for whoever reads decisions after the answer (the challenger, in shadow); never waits, never throws.
        _committed.Publish(model, applicants, stamped);
        return stamped;
    }

    /// <summary>Whether writes have been failing for Records:UnreadyAfterSeconds or longer (readiness). Only a write
    /// (a commit, or the probe's write) ends a failure: a store that answers reads but cannot write is not ready.</summary>
    public bool FailingTooLong
    {
        get
        {
            var since = Interlocked.Read(ref _failingSince);
            return since != 0 && Stopwatch.GetElapsedTime(since) >= TimeSpan.FromSeconds(_options.UnreadyAfterSeconds);
        }
    }

    /// <summary>
    /// Readiness asks the store: while writes work, a read (cheap; a failure starts the clock, e.g. PostgreSQL down);
    /// while they fail, a write, so that a read that still works cannot hide a store that cannot commit, and one that
    /// can write again turns ready without waiting for traffic a load balancer no longer sends.
    /// </summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var failing = Interlocked.Read(ref _failingSince) != 0;
        try
        {
            if (failing)
            {
                await _store.ProbeWriteAsync(cancellationToken);
                Succeeded();
            }
            else
            {
                await _store.PingAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(e);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        var batch = new List<Pending>();
        var records = new List<StoredDecision>();
        // Not stoppingToken: after SIGTERM the loop runs until the queue is completed and empty (StopAsync).
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            records.Clear();
            while (records.Count < _options.MaxRecordsPerCommit && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                records.AddRange(pending.Records);
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await CommitAsync(records);
                Succeeded();
                RecordsMetrics.CommitSeconds.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                RecordsMetrics.RecordsPerCommit.Observe(records.Count);
                foreach (var p in batch)
                {
                    p.Committed.TrySetResult();
                }
            }
            catch (Exception e) when (_store.IsRefusal(e))
            {
                // One record's data, not the store: commit each request's records on their own, so only the
                // request that carries the bad record fails.
                await CommitEachAsync(batch);
            }
            catch (Exception e)
            {
                FailAll(batch, e);
            }
        }
    }

    private async Task CommitAsync(IReadOnlyList<StoredDecision> records)
    {
        using var timeout = new CancellationTokenSource(_commitTimeout);
        await _store.InsertAsync(records, timeout.Token);
        RecordsMetrics.Committed.Inc(records.Count);
    }

    private async Task CommitEachAsync(List<Pending> batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var p = batch[i];
            try
            {
                await CommitAsync(p.Records);
                Succeeded();
                p.Committed.TrySetResult();
            }
            catch (Exception e) when (_store.IsRefusal(e))
            {
                // The store works; this request's data does not fit it. The message names no value (applicant data).
                Log.RecordRefused(_logger, (e as System.Data.Common.DbException)?.SqlState ?? e.GetType().Name, _store.Provider);
                RecordsMetrics.Refused.WithLabels("refused").Inc();
                p.Committed.TrySetException(new RecordRefusedException());
            }
            catch (Exception e)
            {
                // The store itself failed meanwhile: the rest of the batch fails with it, without more tries.
                FailAll(batch[i..], e);
                return;
            }
        }
    }

    private void FailAll(List<Pending> batch, Exception e)
    {
        Failed(e);
        RecordsMetrics.Refused.WithLabels("store").Inc(batch.Count);
        var unavailable = new StoreUnavailableException("the decision store failed to commit");
        foreach (var p in batch)
        {
            p.Committed.TrySetException(unavailable);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Kestrel has stopped by now (it stops before the app's hosted services): no new records, flush the queue.
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(cancellationToken);
        }

        _committed.Complete();
        Log.RecordsFlushed(_logger, _store.Provider);
    }

    private void Succeeded()
    {
        if (Interlocked.Exchange(ref _failingSince, 0) != 0)
        {
            Log.StoreRecovered(_logger, _store.Provider);
        }
    }

    private void Failed(Exception e)
    {
        if (Interlocked.CompareExchange(ref _failingSince, Stopwatch.GetTimestamp(), 0) == 0)
        {
            // The exception names the store's problem (connection refused, disk full); it holds no applicant data.
            Log.StoreFailing(_logger, e, _store.Provider);
        }
    }

    /// <summary>One decision as the store keeps it: the response's values, the reasons and the applicant as JSON.</summary>
    public static StoredDecision ToRecord(CreditModel model, ApplicantRow applicant, ScoreResult result, Guid id, DateTimeOffset now) => new(
        id, applicant.ApplicationId, now, result.ModelVersion, result.Threshold, result.ProbabilityOfDefault, result.Decision,
        JsonSerializer.Serialize(result.Reasons, RecordsJson.Default.IReadOnlyListReason),
        ApplicantJson(model.Features, applicant),
        result.Money,
        result.ReferReasons is { } refer ? JsonSerializer.Serialize(refer, RecordsJson.Default.IReadOnlyListString) : null,
        model.Spec.Name);

    /// <summary>
    /// The validated fields the request sent, in spec order, protected attributes and ids included: the system of
    /// record. Missing values (absent or null) are left out; numbers are written as the float the model was fed.
    /// </summary>
    private static string ApplicantJson(IReadOnlyList<FeatureSpec> features, ApplicantRow row)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            for (var i = 0; i < features.Count; i++)
            {
                var f = features[i];
                if (f.IsCarried)
                {
                    if (row.Ids?.TryGetValue(f.Name, out var id) == true)
                    {
                        json.WritePropertyName(f.Name);
                        id.WriteTo(json);
                    }
                }
                else if (f.Kind == FeatureKind.Category)
                {
                    if (row.Categories[i] is { } value)
                    {
                        json.WriteString(f.Name, value);
                    }
                }
                else if (!float.IsNaN(row.Numbers[i]))
                {
                    json.WriteNumber(f.Name, row.Numbers[i]);
                }
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class Pending(StoredDecision[] records)
    {
        public StoredDecision[] Records { get; } = records;

        // Continuations off the writer's thread: it goes straight back to the next batch.
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The store could not take a record in time (down, saturated, slow): the request is answered 503 with Retry-After.</summary>
public class StoreUnavailableException(string message) : Exception(message);

/// <summary>The store refused this request's records for their data (not because it is down): the one request fails, the
/// others of its group commit are committed. Validation refuses what a store is known to refuse, so this is a backstop.</summary>
public sealed class RecordRefusedException() : StoreUnavailableException("the decision store refused this request's record");

/// <summary>The store cannot be opened or migrated at start: one line on stderr, exit 1 (StartupErrors).</summary>
public sealed class RecordsStoreException(string message, Exception? inner = null) : StartupException(message, inner)
{
    public override string Line => OneLine("Decision records: " + Message);
}
