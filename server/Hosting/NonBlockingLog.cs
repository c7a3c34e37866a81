using Prometheus;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Async;

namespace CreditRisk.Server.Hosting;

/// <summary>
/// Keeps logging off the request path: events go into a bounded queue that one background thread writes to stdout.
/// When stdout is slow or nobody reads it (a full pipe, a stuck log shipper) the queue fills and further events are
/// dropped and counted, instead of blocking the request that logged them (the synchronous console sink wedged scoring
/// after 149 requests that way).
/// </summary>
internal static class NonBlockingLog
{
    /// <summary>Events waiting for stdout at most; about 10 000 × ~300 B = 3 MB when full.</summary>
    public const int BufferSize = 10_000;

    /// <summary>How long shutdown waits for queued lines to reach stdout before it gives up on them.</summary>
    public static readonly TimeSpan FlushOnExit = TimeSpan.FromSeconds(2);

    private static readonly Counter Dropped = Metrics.CreateCounter(
        "creditrisk_log_events_dropped_total", "Log events dropped because stdout did not keep up (the log queue was full).");

    private static readonly Lock Gate = new();
    private static readonly List<IAsyncLogEventSinkInspector> Inspectors = [];
    private static long _droppedByDisposed;

    static NonBlockingLog() => Metrics.DefaultRegistry.AddBeforeCollectCallback(() => Dropped.IncTo(TotalDropped()));

    /// <summary>Reports the queues' drops to <c>creditrisk_log_events_dropped_total</c> at each scrape.</summary>
    public static IAsyncLogEventSinkMonitor Monitor { get; } = new DropMonitor();

    public static long TotalDropped()
    {
        lock (Gate)
        {
            return _droppedByDisposed + Inspectors.Sum(i => i.DroppedMessagesCount);
        }
    }

    private sealed class DropMonitor : IAsyncLogEventSinkMonitor
    {
        public void StartMonitoring(IAsyncLogEventSinkInspector inspector)
        {
            lock (Gate)
            {
                Inspectors.Add(inspector);
            }
        }

        public void StopMonitoring(IAsyncLogEventSinkInspector inspector)
        {
            lock (Gate)
            {
                _droppedByDisposed += inspector.DroppedMessagesCount;
                Inspectors.Remove(inspector);
            }
        }
    }

    /// <summary>
    /// The async sink's Dispose waits for its writer thread without a limit; with stdout blocked that would hang
    /// shutdown for ever. This waits <see cref="FlushOnExit"/> and then lets the process exit without the rest.
    /// </summary>
    public sealed class BoundedDispose(ILogEventSink inner) : ILogEventSink, IDisposable
    {
        public void Emit(LogEvent logEvent) => inner.Emit(logEvent);

        public void Dispose()
        {
            if (inner is IDisposable disposable)
            {
                Task.Run(disposable.Dispose).Wait(FlushOnExit);
            }
        }
    }
}
