using System.Buffers;
using CreditRisk.Server.Model;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// Dynamic batching of concurrent single requests (as Triton does): an ONNX Runtime run has a fixed cost (~13 µs for
/// German Credit on this box) on top of its cost per row (~6 µs), so rows that arrive while every core is busy are
/// gathered and scored together in the next run. There is no timer: while fewer runs are in progress than there are
/// cores, a request runs at once on its own thread, exactly as without batching, so a request at low load waits for
/// nothing. Only when all cores are busy does it queue, and then it waits for one run in progress to end plus its own
/// gathered run, which holds at most <see cref="ScoringOptions.CoalesceMaxRows"/> rows: that bounds the added wait.
/// </summary>
public sealed class RunCoalescer(CreditModel model, int maxRows)
{
    private readonly Lock _gate = new();
    private readonly List<Pending> _queue = [];
    private readonly int _maxRuns = Environment.ProcessorCount;
    private int _running;
    private long _gatheredRuns;

    /// <summary>Runs that scored queued requests (the dynamic batches), since start.</summary>
    public long GatheredRuns => Interlocked.Read(ref _gatheredRuns);

    /// <summary>
    /// Scores <paramref name="rows"/> into <paramref name="probabilities"/> (same length), and into
    /// <paramref name="decisions"/> when it is not empty (<see cref="CreditModel.Predict(ReadOnlySpan{ModelRow}, Span{float}, Span{GraphDecision})"/>),
    /// alone or with other callers' rows.
    /// </summary>
    public Task PredictAsync(ArraySegment<ModelRow> rows, ArraySegment<float> probabilities, ArraySegment<GraphDecision> decisions = default)
    {
        if (maxRows == 0 || rows.Count == 0)
        {
            model.Predict(rows, probabilities, decisions);
            return Task.CompletedTask;
        }

        Pending? queued = null;
        lock (_gate)
        {
            // The queue is only ever non-empty while every core runs; a free core takes this request at once.
            if (_running < _maxRuns && _queue.Count == 0)
            {
                _running++;
            }
            else
            {
                queued = new Pending(rows, probabilities, decisions);
                _queue.Add(queued);
            }
        }

        if (queued is not null)
        {
            return queued.Task;
        }

        try
        {
            model.Predict(rows, probabilities, decisions);
        }
        finally
        {
            // This request's answer must not wait for the others' run: a queue that built up meanwhile is handed to a
            // pool thread, which keeps this run's slot until the queue is empty.
            if (TakeOrRelease() is { } next)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static s => s.Coalescer.RunQueued(s.Next), (Coalescer: this, Next: next), preferLocal: false);
            }
        }

        return Task.CompletedTask;
    }

    private void RunQueued(List<Pending> batch)
    {
        for (var next = batch; next is not null; next = TakeOrRelease())
        {
            RunTogether(next);
        }
    }

    /// <summary>The next gathered run (the oldest requests up to maxRows rows, at least one request), or null after giving the slot back.</summary>
    private List<Pending>? TakeOrRelease()
    {
        lock (_gate)
        {
            if (_queue.Count == 0)
            {
                _running--;
                return null;
            }

            var take = 0;
            var rows = 0;
            while (take < _queue.Count && (take == 0 || rows + _queue[take].Rows.Count <= maxRows))
            {
                rows += _queue[take++].Rows.Count;
            }

            var batch = _queue.GetRange(0, take);
            _queue.RemoveRange(0, take);
            return batch;
        }
    }

    private void RunTogether(List<Pending> batch)
    {
        Interlocked.Increment(ref _gatheredRuns);
        var count = batch.Sum(p => p.Rows.Count);
        var rows = ArrayPool<ModelRow>.Shared.Rent(count);
        var probabilities = ArrayPool<float>.Shared.Rent(count);
        // One run for all: with decision outputs if any request asked for them (the others ignore theirs).
        var withDecisions = batch.Exists(p => p.Decisions.Count > 0);
        var decisions = withDecisions ? ArrayPool<GraphDecision>.Shared.Rent(count) : [];
        try
        {
            var at = 0;
            foreach (var pending in batch)
            {
                pending.Rows.AsSpan().CopyTo(rows.AsSpan(at));
                at += pending.Rows.Count;
            }

            model.Predict(rows.AsSpan(0, count), probabilities.AsSpan(0, count), withDecisions ? decisions.AsSpan(0, count) : []);
            at = 0;
            foreach (var pending in batch)
            {
                probabilities.AsSpan(at, pending.Rows.Count).CopyTo(pending.Probabilities);
                if (pending.Decisions.Count > 0)
                {
                    decisions.AsSpan(at, pending.Rows.Count).CopyTo(pending.Decisions);
                }

                at += pending.Rows.Count;
                pending.TrySetResult();
            }
        }
        catch (Exception e)
        {
            // A bad output of the shared run fails every request in it, as it would have failed each alone.
            foreach (var pending in batch)
            {
                pending.TrySetException(e);
            }
        }
        finally
        {
            ArrayPool<ModelRow>.Shared.Return(rows, clearArray: true);
            ArrayPool<float>.Shared.Return(probabilities);
            if (withDecisions)
            {
                ArrayPool<GraphDecision>.Shared.Return(decisions);
            }
        }
    }

    // Continuations run asynchronously: the thread running the gathered batch must not run the requests' handlers.
    private sealed class Pending(ArraySegment<ModelRow> rows, ArraySegment<float> probabilities, ArraySegment<GraphDecision> decisions)
        : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public ArraySegment<ModelRow> Rows { get; } = rows;

        public ArraySegment<float> Probabilities { get; } = probabilities;

        public ArraySegment<GraphDecision> Decisions { get; } = decisions;
    }
}
