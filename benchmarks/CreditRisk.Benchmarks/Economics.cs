using BenchmarkDotNet.Attributes;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring;

namespace CreditRisk.Benchmarks;

/// <summary>
/// What the decision in the graph costs (issue 28: at most 10 % of a row's scoring time). On the realistic mix (the
/// training applicants in turn), per ONNX Runtime run of 1 row (a single score) and of 100 (a batch): the PD alone,
/// the PD with the six decision outputs (threshold, approve, expected profit, loss, margin, points: what the server
/// now asks for), and the scorer's whole answer for the same rows (reasons on, as served), for both shipped models.
/// </summary>
[MemoryDiagnoser]
public class Economics
{
    private CreditModel _model = null!;
    private Scorer _scorer = null!;
    private ApplicantRow[][] _chunks = null!;
    private ModelRow[][] _rows = null!;
    private float[] _probabilities = null!;
    private GraphDecision[] _decisions = null!;
    private int _next;

    [Params(Fixtures.German, Fixtures.LendingClub)]
    public string Dataset { get; set; } = Fixtures.German;

    [Params(1, 100)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = Fixtures.LoadModel(Dataset);
        _scorer = Fixtures.NewScorer(_model, reasons: true);
        var mix = Fixtures.Applicants(_model, Dataset, 1000);
        _chunks = [.. mix.Chunk(Rows)];
        _rows = [.. _chunks.Select(c => c.Select(a => new ModelRow(a)).ToArray())];
        _probabilities = new float[Rows];
        _decisions = new GraphDecision[Rows];
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    private int Next() => _next = (_next + 1) % _rows.Length;

    [Benchmark(Baseline = true, Description = "model: PD only")]
    public float PdOnly()
    {
        _model.Predict(_rows[Next()], _probabilities);
        return _probabilities[0];
    }

    [Benchmark(Description = "model: PD + decision outputs")]
    public float WithDecisions()
    {
        _model.Predict(_rows[Next()], _probabilities, _decisions);
        return _decisions[0].Threshold;
    }

    [Benchmark(Description = "scorer: the answer, reasons on")]
    public ScoreResult[] Scorer() => _scorer.Score(_chunks[Next()]);
}
