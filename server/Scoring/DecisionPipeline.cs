using System.Diagnostics;
using CreditRisk.Contracts;
using CreditRisk.Server.Hosting;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// The one path from validated applicants to answered decisions, for every transport (JSON single and batch, CSV and
/// so the page, Open Inference REST and gRPC): score → reasons → record (committed before anything is answered; the
/// recorder then publishes the decisions for the challenger in shadow) → count → log. Each stage's latency goes to
/// <see cref="ScoringMetrics.StageSeconds"/> by model and transport, as KServe's <c>Model.__call__</c> times preprocess, predict
/// and postprocess; "read" is the transport's own reading and validation, from the request's start to the pipeline.
/// The decision a transport answers with is the <see cref="ScoreResult"/> the scorer builds (one place) and the
/// recorder stamps; a transport only chooses how to write it.
/// </summary>
public sealed class DecisionPipeline(Scorer scorer, DecisionRecorder recorder, ILogger<DecisionPipeline> logger)
{
    /// <summary>Transport names: the label of the stage histogram and of <see cref="ScoringMetrics.ScoringSeconds"/>.</summary>
    public const string One = "score";
    public const string Batch = "batch";
    public const string Csv = "csv";
    public const string V2 = "v2";
    public const string Grpc = "grpc";

    public CreditModel Model => scorer.Model;

    // The served model's name, the "model" label of every scoring metric: two models' traffic is told apart.
    private readonly string _name = scorer.Model.Spec.Name;

    /// <summary>
    /// One applicant (POST /api/v1/score): its model runs are shared with concurrent requests (<see cref="RunCoalescer"/>).
    /// <paramref name="started"/> is the request's start (a <see cref="Stopwatch"/> timestamp).
    /// </summary>
    /// <exception cref="StoreUnavailableException">Nothing is known to be recorded: answer 503, never a decision.</exception>
    public async Task<ScoreResult> DecideAsync(ApplicantRow applicant, string transport, string requestId, long started)
    {
        var clock = new StageClock(_name, transport, started);
        clock.Lap(ScoringMetrics.ReadStage);
        var result = await scorer.ScoreAsync(applicant, clock);
        var stamped = (await RecordAsync([applicant], [result], clock))[0];
        ScoringMetrics.Scores.WithLabels(_name, stamped.Decision).Inc();
        var elapsed = Stopwatch.GetElapsedTime(started);
        ScoringMetrics.ScoringSeconds.WithLabels(_name, transport).Observe(elapsed.TotalSeconds);
        // Never log applicant attributes: only the outcome, coarsely.
        Log.Scored(logger, requestId, stamped.Decision, Logging.Bucket(stamped.ProbabilityOfDefault), elapsed.TotalMilliseconds);
        return stamped;
    }

    /// <summary>A batch in one run: its results in request order, once committed and stamped with their decision ids.</summary>
    /// <exception cref="StoreUnavailableException">Nothing is known to be recorded: answer 503, never a decision.</exception>
    public async Task<ScoreResult[]> DecideAsync(IReadOnlyList<ApplicantRow> applicants, string transport, string requestId, long started)
    {
        var run = Start(transport, requestId, started);
        var results = await run.DecideAsync(applicants);
        run.Finish();
        return results;
    }

    /// <summary>A request decided in several chunks (a CSV file): <see cref="Run.DecideAsync"/> per chunk, then <see cref="Run.Finish"/> once.</summary>
    public Run Start(string transport, string requestId, long started) => new(this, transport, requestId, started);

    private async Task<ScoreResult[]> RecordAsync(IReadOnlyList<ApplicantRow> applicants, ScoreResult[] results, StageClock clock)
    {
        var stamped = await recorder.RecordAsync(scorer.Model, applicants, results);
        clock.Lap(ScoringMetrics.RecordStage);
        return stamped;
    }

    /// <summary>One request's decisions, counted and logged once however many chunks it is decided in.</summary>
    public sealed class Run
    {
        private readonly DecisionPipeline _pipeline;
        private readonly string _transport;
        private readonly string _requestId;
        private readonly long _started;
        private readonly StageClock _clock;
        private int _count;
        private int _rejects;

        internal Run(DecisionPipeline pipeline, string transport, string requestId, long started)
        {
            _pipeline = pipeline;
            _transport = transport;
            _requestId = requestId;
            _started = started;
            _clock = new StageClock(pipeline._name, transport, started);
        }

        /// <summary>Decides a chunk: scored, with reasons, recorded and counted; the results come back once committed.</summary>
        /// <exception cref="StoreUnavailableException">This chunk is not known to be recorded: answer nothing of it.</exception>
        public async Task<ScoreResult[]> DecideAsync(IReadOnlyList<ApplicantRow> applicants)
        {
            // The first chunk's "read" is the request's, from its start; a later one's is the transport's reading since the chunk before.
            _clock.Lap(ScoringMetrics.ReadStage);
            var results = await _pipeline.RecordAsync(applicants, _pipeline.Scorer.Score(applicants, _clock), _clock);
            var rejects = results.Count(r => r.Decision == Decisions.Reject);
            var refers = results.Count(r => r.Decision == Decisions.Refer);
            var model = _pipeline._name;
            ScoringMetrics.Scores.WithLabels(model, Decisions.Reject).Inc(rejects);
            ScoringMetrics.Scores.WithLabels(model, Decisions.Approve).Inc(results.Length - rejects - refers);
            if (refers > 0)
            {
                ScoringMetrics.Scores.WithLabels(model, Decisions.Refer).Inc(refers);
            }

            _count += results.Length;
            _rejects += rejects;
            return results;
        }

        /// <summary>Observes the request's duration and logs it (counts only, never applicant attributes).</summary>
        public void Finish()
        {
            var elapsed = Stopwatch.GetElapsedTime(_started);
            ScoringMetrics.ScoringSeconds.WithLabels(_pipeline._name, _transport).Observe(elapsed.TotalSeconds);
            Log.ScoredBatch(_pipeline.Logger, _requestId, _count, _rejects, elapsed.TotalMilliseconds);
        }
    }

    private Scorer Scorer => scorer;

    private ILogger Logger => logger;
}

/// <summary>
/// Times the stages of one request into <see cref="ScoringMetrics.StageSeconds"/>: each lap is the time since the one
/// before, the first since the request's start.
/// </summary>
public sealed class StageClock(string model, string transport, long started)
{
    private long _last = started;

    public void Lap(string stage)
    {
        var now = Stopwatch.GetTimestamp();
        ScoringMetrics.StageSeconds.WithLabels(model, transport, stage).Observe(Stopwatch.GetElapsedTime(_last, now).TotalSeconds);
        _last = now;
    }
}
