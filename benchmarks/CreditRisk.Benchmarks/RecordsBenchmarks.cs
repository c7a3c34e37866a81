using BenchmarkDotNet.Attributes;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CreditRisk.Benchmarks;

/// <summary>
/// The cost of a decision record (issue 16 §6), in process on real SQLite in a temporary folder: building one
/// <see cref="StoredDecision"/> (UUIDv7, reasons JSON, applicant JSON), and one group commit of <see cref="Rows"/>
/// records (prepared insert per row + COMMIT) with synchronous=FULL and NORMAL. The Rows/s column is records per
/// second; under wrk at 8 connections a commit gathers about 3 to 8 records (benchmarks/records-ab.sh).
/// </summary>
[MemoryDiagnoser]
public class Record
{
    private CreditModel _model = null!;
    private DecisionRecorder _recorder = null!;
    private SqliteDecisionStore _store = null!;
    private string _folder = null!;
    private ApplicantRow _applicant = null!;
    private ScoreResult _result = null!;
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
        _applicant = Fixtures.GoldenApplicants(_model, Fixtures.German).First(a => scorer.Score(a).Decision == Decisions.Reject);
        _result = scorer.Score(_applicant);
        _folder = Directory.CreateTempSubdirectory("creditrisk-bench-records-").FullName;
        _store = new SqliteDecisionStore(_folder, Synchronous);
        _store.Migrate();
        _recorder = new DecisionRecorder(Options.Create(new RecordsOptions { DataFolder = _folder }), _store, _model, NullLogger<DecisionRecorder>.Instance);
        _records = [.. Enumerable.Range(0, Rows).Select(_ => Build())];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _model.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Description = "build: UUIDv7 + reasons JSON + applicant JSON")]
    public StoredDecision Build() => _recorder.ToRecord(_applicant, _result, Guid.CreateVersion7(), DateTimeOffset.UtcNow);

    [Benchmark(Description = "insert + commit")]
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
