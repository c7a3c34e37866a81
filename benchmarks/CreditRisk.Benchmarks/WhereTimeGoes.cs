using BenchmarkDotNet.Attributes;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using Microsoft.ML.OnnxRuntime;

namespace CreditRisk.Benchmarks;

/// <summary>
/// Where one ONNX Runtime run's time goes, by rows per run: ONNX Runtime alone on inputs built once (the kernel floor:
/// a fixed cost per Run plus a cost per row), building the input tensors alone (what the server adds per row), and the
/// server's whole <see cref="CreditModel.Predict(ReadOnlySpan{ModelRow}, Span{float})"/>. 1 row is a single score, 17 a
/// reject's reason variants (one per input), 1 000 a batch. For both shipped models.
/// </summary>
[MemoryDiagnoser]
public class WhereTimeGoes
{
    private CreditModel _model = null!;
    private InferenceSession _session = null!;
    private RunOptions _run = null!;
    private OrtValue[] _inputs = null!;
    private string[] _inputNames = null!;
    private string[] _outputNames = null!;
    private ModelRow[] _rows = null!;
    private float[] _probabilities = null!;

    [Params(Fixtures.German, Fixtures.LendingClub)]
    public string Dataset { get; set; } = Fixtures.German;

    [Params(1, 17, 1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = Fixtures.LoadModel(Dataset);
        using var options = CreditModel.NewSessionOptions();
        _session = new InferenceSession(_model.Path, options);
        _run = new RunOptions();
        var applicants = Fixtures.Applicants(_model, Dataset, Rows);
        (_inputNames, _inputs) = Fixtures.OrtInputs(_model, applicants);
        _outputNames = [ModelMetadataKeys.ProbabilityOutput];
        _rows = [.. applicants.Select(a => new ModelRow(a))];
        _probabilities = new float[Rows];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var input in _inputs)
        {
            input.Dispose();
        }

        _run.Dispose();
        _session.Dispose();
        _model.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ORT run only, inputs pre-built (floor)")]
    public float Floor()
    {
        using var outputs = _session.Run(_run, _inputNames, _inputs, _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>()[^1];
    }

    [Benchmark(Description = "CreditModel.Predict (inputs + run + copy)")]
    public float Predict()
    {
        _model.Predict(_rows, _probabilities);
        return _probabilities[^1];
    }
}
