using System.Text.Json;
using CreditRisk.Contracts;
using Microsoft.ML.OnnxRuntime;

namespace CreditRisk.Benchmarks;

/// <summary>
/// `-- --ort-profile [rows]`: runs one row (or a batch of that many golden applicants) 2 000 times (fewer for big
/// batches) with ONNX Runtime's own profiler on and prints where a run's time goes, by operator type. The profiler
/// adds a fixed cost per kernel, so 1 row shows the kernel count's weight and 1 000 rows the per-row cost of each op.
/// </summary>
internal static class OrtProfile
{
    public static void Run(int rows)
    {
        var prefix = Path.Combine(Path.GetTempPath(), "creditrisk-ort-profile");
        string file;
        var dataset = Fixtures.DefaultDataset;
        using var model = Fixtures.LoadModel(dataset);
        var (names, inputs) = Fixtures.OrtInputs(model, Fixtures.Applicants(model, dataset, rows));
        var repeats = Math.Max(20, 2000 / rows);
        using (var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        })
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = prefix;
            using var session = new InferenceSession(Fixtures.ModelPath(dataset), options);
            string[] outputs = [ModelMetadataKeys.ProbabilityOutput];
            using var run = new RunOptions();
            for (var i = 0; i < repeats; i++)
            {
                using var result = session.Run(run, names, inputs, outputs);
            }

            file = session.EndProfiling();
            foreach (var input in inputs)
            {
                input.Dispose();
            }
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var nodes = doc.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("cat").GetString() == "Node" && e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
            .Select(e => (Op: e.GetProperty("args").GetProperty("op_name").GetString()!, Name: e.GetProperty("name").GetString()!, Us: e.GetProperty("dur").GetDouble()))
            .ToList();
        var runs = doc.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("cat").GetString() == "Session" && e.GetProperty("name").GetString() == "model_run")
            .Select(e => e.GetProperty("dur").GetDouble())
            .Order()
            .ToList();
        var perRun = runs.Count;
        Console.WriteLine($"ORT profile ({dataset}, {rows} rows per run): {perRun} runs, median model_run {runs[runs.Count / 2]:F1} µs; {nodes.Select(n => n.Name).Distinct().Count()} kernels per run");
        Console.WriteLine("| op type | kernels | µs per run (mean) |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var g in nodes.GroupBy(n => n.Op).OrderByDescending(g => g.Sum(n => n.Us)))
        {
            Console.WriteLine($"| {g.Key} | {g.Select(n => n.Name).Distinct().Count()} | {g.Sum(n => n.Us) / perRun:F2} |");
        }

        Console.WriteLine($"| (sum of kernels) | | {nodes.Sum(n => n.Us) / perRun:F2} |");
        File.Delete(file);
    }
}
