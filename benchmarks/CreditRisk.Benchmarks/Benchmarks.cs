using System.Buffers;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring;
using CreditRisk.Server.Scoring.Input;

namespace CreditRisk.Benchmarks;

/// <summary>
/// One applicant in process: the model alone (input tensors + ONNX Runtime run + output copy), and the server's
/// <see cref="Scorer"/> with reasons off and on (reasons add one "what if" row per model input to a second run). For both shipped models.
/// </summary>
[MemoryDiagnoser]
public class SingleScore
{
    private CreditModel _model = null!;
    private Scorer _reasonsOff = null!;
    private Scorer _reasonsOn = null!;
    private ApplicantRow _applicant = null!;

    [Params(Fixtures.German, Fixtures.LendingClub)]
    public string Dataset { get; set; } = Fixtures.German;

    /// <summary>A golden applicant the model approves, or one it rejects (only rejects get reasons).</summary>
    [Params(Decisions.Approve, Decisions.Reject)]
    public string Decision { get; set; } = Decisions.Approve;

    [GlobalSetup]
    public void Setup()
    {
        _model = Fixtures.LoadModel(Dataset);
        _reasonsOff = Fixtures.NewScorer(_model, reasons: false);
        _reasonsOn = Fixtures.NewScorer(_model, reasons: true);
        _applicant = Fixtures.GoldenApplicants(_model, Dataset).First(a => _reasonsOff.Score(a).Decision == Decision);
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Baseline = true, Description = "model: 1 row")]
    public float Model() => _model.Predict(_applicant);

    [Benchmark(Description = "scorer: reasons off")]
    public ScoreResult ReasonsOff() => _reasonsOff.Score(_applicant);

    [Benchmark(Description = "scorer: reasons on")]
    public ScoreResult ReasonsOn() => _reasonsOn.Score(_applicant);
}

/// <summary>Batches of real applicants in one ONNX Runtime run: the model alone and the scorer without reasons. See the Rows/s column.</summary>
[MemoryDiagnoser]
public class Batch
{
    private CreditModel _model = null!;
    private Scorer _scorer = null!;
    private ApplicantRow[] _applicants = null!;
    private ModelRow[] _rows = null!;
    private float[] _probabilities = null!;

    [Params(Fixtures.German, Fixtures.LendingClub)]
    public string Dataset { get; set; } = Fixtures.German;

    [Params(1, 10, 100, 1000, 10000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = Fixtures.LoadModel(Dataset);
        _scorer = Fixtures.NewScorer(_model, reasons: false);
        _applicants = Fixtures.Applicants(_model, Dataset, Rows);
        _rows = [.. _applicants.Select(a => new ModelRow(a))];
        _probabilities = new float[Rows];
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Baseline = true, Description = "model: batch")]
    public float Model()
    {
        _model.Predict(_rows, _probabilities);
        return _probabilities[^1];
    }

    [Benchmark(Description = "scorer: batch, reasons off")]
    public ScoreResult[] ScorerReasonsOff() => _scorer.Score(_applicants);
}

/// <summary>
/// What one POST /api/v1/score does without HTTP: UTF-8 request JSON → the server's validating reader → scorer →
/// response JSON (the server's source-generated web settings), reasons off and on.
/// </summary>
[MemoryDiagnoser]
public class RequestPipeline
{
    private CreditModel _model = null!;
    private Scorer _scorer = null!;
    private ApplicantReader _reader = null!;
    private ReadOnlySequence<byte> _body;

    [Params(Fixtures.German, Fixtures.LendingClub)]
    public string Dataset { get; set; } = Fixtures.German;
    private readonly ArrayBufferWriter<byte> _response = new(4096);
    private Utf8JsonWriter _writer = null!;

    [Params(false, true)]
    public bool Reasons { get; set; }

    [Params(Decisions.Approve, Decisions.Reject)]
    public string Decision { get; set; } = Decisions.Approve;

    [GlobalSetup]
    public void Setup()
    {
        _model = Fixtures.LoadModel(Dataset);
        _scorer = Fixtures.NewScorer(_model, Reasons);
        _reader = new ApplicantReader(_model);
        var json = Fixtures.GoldenJson(Dataset).First(j => _scorer.Score(Fixtures.Parse(_reader, j)).Decision == Decision);
        _body = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json));
        _writer = new Utf8JsonWriter(_response);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.Dispose();
        _model.Dispose();
    }

    [Benchmark(Description = "json → validate → score → json")]
    public int Pipeline()
    {
        var errors = new ValidationErrors();
        var applicant = _reader.ReadApplicant(_body, errors) ?? throw new InvalidOperationException("invalid body");
        var result = _scorer.Score(applicant);
        _response.ResetWrittenCount();
        _writer.Reset(_response);
        JsonSerializer.Serialize(_writer, result, BenchJson.Default.ScoreResult);
        _writer.Flush();
        return _response.WrittenCount;
    }
}
