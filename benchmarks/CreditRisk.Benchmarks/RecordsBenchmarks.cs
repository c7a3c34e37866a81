using BenchmarkDotNet.Attributes;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;

namespace CreditRisk.Benchmarks;

/// <summary>
/// The cost of a decision record (issue 16 §6), in process: building one <see cref="StoredDecision"/> from a rejected
/// applicant's result (UUIDv7, reasons JSON, applicant JSON), the part every request pays on its own thread.
/// </summary>
[MemoryDiagnoser]
public class RecordBuild
{
    private CreditModel _model = null!;
    private ApplicantRow _applicant = null!;
    private ScoreResult _result = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model = Fixtures.LoadModel(Fixtures.German);
        var scorer = Fixtures.NewScorer(_model, reasons: true);
        _applicant = Fixtures.GoldenApplicants(_model, Fixtures.German).First(a => scorer.Score(a).Decision == Decisions.Reject);
        _result = scorer.Score(_applicant);
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Description = "record: build (UUIDv7 + reasons JSON + applicant JSON)")]
    public StoredDecision Build() => DecisionRecorder.ToRecord(_model, _applicant, _result, Guid.CreateVersion7(), DateTimeOffset.UtcNow);
}

/// <summary>
/// One group commit of <see cref="Rows"/> records on real SQLite in a temporary folder (prepared insert per row +
/// COMMIT), with synchronous=FULL and NORMAL: the part the writer pays per commit. The Rows/s column is records per
/// second; under wrk at 8 connections a commit gathers about 3 to 5 records (benchmarks/records-ab.sh).
/// </summary>
[MemoryDiagnoser]
public class RecordCommit
{
    private CreditModel _model = null!;
    private SqliteDecisionStore _store = null!;
    private string _folder = null!;
    private StoredDecision[] _records = null!;

    [Params(1, 8)]
    public int Rows { get; set; } = 1;

    [Params(SqliteSynchronous.Full, SqliteSynchronous.Normal)]
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    [GlobalSetup]
    public void Setup()
    {
        _model = Fixtures.LoadModel(Fixtures.German);
        var scorer = Fixtures.NewScorer(_model, reasons: true);
        // A rejected applicant: its record carries reasons, the larger of the two kinds.
        var applicant = Fixtures.GoldenApplicants(_model, Fixtures.German).First(a => scorer.Score(a).Decision == Decisions.Reject);
        var result = scorer.Score(applicant);
        _folder = Directory.CreateTempSubdirectory("creditrisk-bench-records-").FullName;
        _store = new SqliteDecisionStore(_folder, Synchronous);
        _store.Migrate();
        _records = [.. Enumerable.Range(0, Rows).Select(_ => DecisionRecorder.ToRecord(_model, applicant, result, Guid.CreateVersion7(), DateTimeOffset.UtcNow))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _model.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Description = "record: insert + commit")]
    public async Task Commit()
    {
        // Fresh ids: the primary key refuses a second insert of the same record.
        for (var i = 0; i < _records.Length; i++)
        {
            _records[i] = _records[i] with { Id = Guid.CreateVersion7() };
        }

        await _store.InsertAsync(_records, CancellationToken.None);
    }
}
