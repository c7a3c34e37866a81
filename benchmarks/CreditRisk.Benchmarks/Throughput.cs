using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring;
using CreditRisk.Server.Scoring.Input;
using Microsoft.Extensions.Options;

namespace CreditRisk.Benchmarks;

/// <summary>
/// Per row, one applicant at a time: parse (the server's validating reader on UTF-8 JSON), score (reasons off) and
/// score with reasons, for an approve and a reject of each shipped model. The reject-with-reasons ÷ approve ratio is
/// issue 18's "a reject costs ≤ 2× an approve".
/// </summary>
[MemoryDiagnoser]
public class PerRow
{
    private CreditModel _model = null!;
    private Scorer _reasonsOff = null!;
    private Scorer _reasonsOn = null!;
    private ApplicantReader _reader = null!;
    private ReadOnlySequence<byte> _body;
    private ApplicantRow _applicant = null!;

    [Params(Fixtures.German, Fixtures.LendingClub)]
    public string Dataset { get; set; } = Fixtures.German;

    [Params(Decisions.Approve, Decisions.Reject)]
    public string Decision { get; set; } = Decisions.Approve;

    [GlobalSetup]
    public void Setup()
    {
        _model = Fixtures.LoadModel(Dataset);
        _reasonsOff = Fixtures.NewScorer(_model, reasons: false);
        _reasonsOn = Fixtures.NewScorer(_model, reasons: true);
        _reader = new ApplicantReader(_model);
        var json = Fixtures.GoldenJson(Dataset).First(j => _reasonsOff.Score(Fixtures.Parse(_reader, j)).Decision == Decision);
        _body = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json));
        _applicant = Fixtures.Parse(_reader, json);
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Description = "parse (json → validated row)")]
    public ApplicantRow? Parse() => _reader.ReadApplicant(_body, new ValidationErrors());

    [Benchmark(Baseline = true, Description = "score, reasons off")]
    public ScoreResult Score() => _reasonsOff.Score(_applicant);

    [Benchmark(Description = "score with reasons")]
    public ScoreResult Reasons() => _reasonsOn.Score(_applicant);
}

/// <summary>
/// Dynamic batching (<see cref="RunCoalescer"/>) in process: 8 concurrent callers (wrk's 8 connections) each score their
/// share of the realistic mix one applicant at a time through <see cref="Scorer.ScoreAsync"/>, reasons on, with
/// Scoring:CoalesceMaxRows 0 (every request runs alone) and larger. See the Rows/s column (applicants per second).
/// </summary>
[MemoryDiagnoser]
public class ConcurrentSingles
{
    private const int Callers = 8;
    private const int Applicants = 1000;
    private CreditModel _model = null!;
    private Scorer _scorer = null!;
    private ApplicantRow[] _mix = null!;

    [Params(Fixtures.German, Fixtures.LendingClub)]
    public string Dataset { get; set; } = Fixtures.German;

    [Params(0, 16, 64, 256)]
    public int CoalesceMaxRows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = Fixtures.LoadModel(Dataset);
        _scorer = new Scorer(_model, Options.Create(new ScoringOptions { Reasons = true, CoalesceMaxRows = CoalesceMaxRows }));
        _mix = Fixtures.Applicants(_model, Dataset, Applicants);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // How often requests actually queued and shared a run: with thread-pool callers, seldom (docs/performance.md).
        Console.WriteLine($"// gathered runs: {_scorer.GatheredRuns}");
        _model.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Applicants, Description = "8 callers, the mix one by one")]
    public void Mix()
    {
        var next = -1;
        var callers = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            callers[c] = Task.Run(async () =>
            {
                for (var i = Interlocked.Increment(ref next); i < _mix.Length; i = Interlocked.Increment(ref next))
                {
                    await _scorer.ScoreAsync(_mix[i]);
                }
            });
        }

        Task.WaitAll(callers);
    }
}

/// <summary>
/// Large batches in process, the model alone: one ONNX Runtime run (Model:ParallelRunRows 0) against one run per core in
/// parallel on the one session. Issue 18's goal is ≥ 2× the seed's 185 050 rows/s at 1 000 rows.
/// </summary>
[MemoryDiagnoser]
public class ParallelBatch
{
    private CreditModel _model = null!;
    private ModelRow[] _rows = null!;
    private float[] _probabilities = null!;

    [Params(Fixtures.German, Fixtures.LendingClub)]
    public string Dataset { get; set; } = Fixtures.German;

    [Params(100, 1000)]
    public int Rows { get; set; }

    [Params(0, 64)]
    public int ParallelRunRows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = new CreditModel(Fixtures.ModelPath(Dataset), ParallelRunRows);
        _rows = [.. Fixtures.Applicants(_model, Dataset, Rows).Select(a => new ModelRow(a))];
        _probabilities = new float[Rows];
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Description = "model: batch")]
    public float Model()
    {
        _model.Predict(_rows, _probabilities);
        return _probabilities[^1];
    }
}
