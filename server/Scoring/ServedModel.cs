using System.Diagnostics;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;
using CreditRisk.Server.Scoring.Input;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// One verified version of one model and everything built from its spec: the scorer, the input rules and reader, the
/// decision pipeline. A request leases it for its whole life (<see cref="ModelRegistry.Acquire"/>), so a swap never
/// changes the version under a request. The registry holds one lease while the version serves; when it lets go (a
/// swap, an unload) the ONNX Runtime session is disposed by whoever releases the last lease, i.e. once the requests
/// in flight on it have finished.
/// </summary>
public sealed class ServedModel
{
    // The registry's own lease counts as one: 0 means retired and disposed, and no new lease may be taken.
    private int _leases = 1;
    private long _retiredAt;

    internal ServedModel(string name, string folder, CreditModel model, IOptions<ScoringOptions> scoring, IOptions<ReferOptions> refer, DecisionRecorder recorder, ILogger<DecisionPipeline> logger)
    {
        Name = name;
        Folder = folder;
        Model = model;
        Scorer = new Scorer(model, scoring, new ReferRule(model, refer));
        Rules = new InputRules(model);
        Reader = new ApplicantReader(Rules);
        Pipeline = new DecisionPipeline(Scorer, recorder, logger);
        LoadedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The model's name: its folder in the repository, which is also the name in its card's spec.</summary>
    public string Name { get; }

    /// <summary>The repository's version folder it was loaded from ("" for an unnumbered model).</summary>
    public string Folder { get; }

    public CreditModel Model { get; }

    public Scorer Scorer { get; }

    public InputRules Rules { get; }

    public ApplicantReader Reader { get; }

    public DecisionPipeline Pipeline { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>A request's lease, or false when this version has been retired and drained (take the registry's current one).</summary>
    internal bool TryAcquire()
    {
        while (true)
        {
            var leases = Volatile.Read(ref _leases);
            if (leases == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _leases, leases + 1, leases) == leases)
            {
                return true;
            }
        }
    }

    /// <summary>Ends a lease; the last one disposes the session (observing how long the drain took after the retirement).</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref _leases) != 0)
        {
            return;
        }

        Model.Dispose();
        if (Interlocked.Read(ref _retiredAt) is var retired and not 0)
        {
            ModelMetrics.DrainSeconds.WithLabels(Name).Observe(Stopwatch.GetElapsedTime(retired).TotalSeconds);
        }
    }

    /// <summary>The registry lets go: the session is disposed once no request holds it any more.</summary>
    internal void Retire()
    {
        Interlocked.Exchange(ref _retiredAt, Stopwatch.GetTimestamp());
        Release();
    }

    /// <summary>Retired, every lease ended and the session disposed.</summary>
    public bool Drained => Volatile.Read(ref _leases) == 0;

    /// <summary>Requests holding this version right now (the registry's own lease not counted).</summary>
    public int InFlight => Math.Max(0, Volatile.Read(ref _leases) - 1);
}

/// <summary>A request's hold on one <see cref="ServedModel"/>: disposing it ends the lease (registered with the response, so
/// it lasts until the response is written, a streamed CSV answer included).</summary>
public sealed class ModelLease : IDisposable
{
    private ServedModel? _served;

    internal ModelLease(ServedModel served) => _served = served;

    public ServedModel Served => _served ?? throw new ObjectDisposedException(nameof(ModelLease));

    public void Dispose() => Interlocked.Exchange(ref _served, null)?.Release();
}
