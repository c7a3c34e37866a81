using System.Threading.Channels;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;

namespace CreditRisk.Server.Records;

/// <summary>A response's decisions once committed: the model version that decided (its card and version; its session may be
/// retired by a swap meanwhile), the applicants in request order and their results, stamped with their decision ids.</summary>
public sealed record CommittedBatch(CreditModel Model, ApplicantRow[] Applicants, ScoreResult[] Results);

/// <summary>
/// Where <see cref="DecisionRecorder"/> publishes each response's decisions once they are committed, for whoever reads
/// them after the answer (the challenger in shadow). Records knows no reader: one subscribes at start-up with the size of
/// its queue and what to do with decisions it had no room for. Publishing is O(1), never waits and never throws; with no
/// subscriber it does nothing.
/// </summary>
public sealed class CommittedDecisions
{
    private Channel<CommittedBatch>? _channel;
    private Action<int>? _dropped;

    /// <summary>Whether anyone reads the committed decisions.</summary>
    public bool HasSubscriber => Volatile.Read(ref _channel) is not null;

    /// <summary>Opens the one bounded queue of committed decisions; <paramref name="dropped"/> hears how many decisions a full queue refused.</summary>
    public ChannelReader<CommittedBatch> Subscribe(int capacity, Action<int> dropped)
    {
        var channel = Channel.CreateBounded<CommittedBatch>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _dropped = dropped;
        return Interlocked.CompareExchange(ref _channel, channel, null) is null
            ? channel.Reader
            : throw new InvalidOperationException("the committed decisions already have a reader");
    }

    /// <summary>
    /// Hands a response's committed decisions on. The rows are only read afterwards (each request builds its own), so
    /// they are not copied.
    /// </summary>
    public void Publish(CreditModel model, IReadOnlyList<ApplicantRow> applicants, ScoreResult[] results)
    {
        if (Volatile.Read(ref _channel) is not { } channel || results.Length == 0)
        {
            return;
        }

        if (!channel.Writer.TryWrite(new CommittedBatch(model, [.. applicants], results)))
        {
            _dropped?.Invoke(results.Length);
        }
    }

    /// <summary>No more decisions (the recorder has flushed its queue on shutdown); the reader drains what is queued.</summary>
    public void Complete() => Volatile.Read(ref _channel)?.Writer.TryComplete();
}
