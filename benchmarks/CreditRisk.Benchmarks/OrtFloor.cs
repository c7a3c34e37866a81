using BenchmarkDotNet.Attributes;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using Microsoft.ML.OnnxRuntime;

namespace CreditRisk.Benchmarks;

/// <summary>
/// Diagnostic floor for one row: ONNX Runtime alone on inputs built once (same session options as the server), so
/// "model: 1 row" minus this is what the server's input building and output copy cost.
/// </summary>
[MemoryDiagnoser]
public class OrtFloor
{
    private InferenceSession _session = null!;
    private RunOptions _run = null!;
    private OrtValue[] _inputs = null!;
    private string[] _inputNames = null!;
    private string[] _outputNames = null!;

    [GlobalSetup]
    public void Setup()
    {
        using var options = CreditModel.NewSessionOptions();
        var dataset = Fixtures.DefaultDataset;
        _session = new InferenceSession(Fixtures.ModelPath(dataset), options);
        _run = new RunOptions();
        using var model = Fixtures.LoadModel(dataset);
        (_inputNames, _inputs) = Fixtures.OrtInputs(model, Fixtures.GoldenApplicants(model, dataset)[0]);
        _outputNames = [ModelMetadataKeys.ProbabilityOutput];
        var nodes = _session.InputMetadata.Count;
        Console.WriteLine($"// ORT floor: {nodes} inputs");
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
    }

    [Benchmark(Description = "ORT run only, inputs pre-built (1 row)")]
    public float Run()
    {
        using var outputs = _session.Run(_run, _inputNames, _inputs, _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }
}
