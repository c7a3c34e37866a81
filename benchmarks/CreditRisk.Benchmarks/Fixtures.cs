using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring;
using Microsoft.Extensions.Options;

namespace CreditRisk.Benchmarks;

/// <summary>What the benchmarks score: the shipped model and real applicants from the trainer's golden file.</summary>
public static class Fixtures
{
    /// <summary>The repository root: the folder holding CreditRisk.sln above the binaries or the working directory.</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The shipped model: the copy the build puts beside the binaries, else artifacts/ in the repository.</summary>
    public static string ModelPath
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("CREDITRISK_MODEL");
            if (!string.IsNullOrEmpty(fromEnv))
            {
                return Path.GetFullPath(fromEnv);
            }

            var beside = Path.Combine(AppContext.BaseDirectory, "artifacts", "model.onnx");
            return File.Exists(beside) ? beside : Path.Combine(RepoRoot, "artifacts", "model.onnx");
        }
    }

    public static CreditModel LoadModel() => new(ModelPath);

    public static Scorer NewScorer(CreditModel model, bool reasons) =>
        new(model, Options.Create(new ScoringOptions { Reasons = reasons, MaxBatchSize = 100_000 }));

    /// <summary>The "data" rows of artifacts/golden.json (real German Credit applicants), each as its JSON text.</summary>
    public static IReadOnlyList<string> GoldenJson { get; } = ReadGolden();

    /// <summary>The golden applicants, parsed and validated by the server's own reader.</summary>
    public static IReadOnlyList<Applicant> GoldenApplicants { get; } = [.. GoldenJson.Select(Parse)];

    /// <summary><paramref name="count"/> applicants cycling through the golden ones.</summary>
    public static Applicant[] Applicants(int count) =>
        [.. Enumerable.Range(0, count).Select(i => GoldenApplicants[i % GoldenApplicants.Count])];

    public static Applicant Parse(string json)
    {
        var errors = new ValidationErrors();
        return ApplicantJson.ReadApplicant(new ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(json)), errors)
            ?? throw new InvalidOperationException("golden applicant rejected: " + string.Join("; ", errors.ToDictionary().Select(e => e.Key)));
    }

    private static List<string> ReadGolden()
    {
        var path = Path.Combine(RepoRoot, "artifacts", "golden.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "data")
            .Select(r => r.GetProperty("input").GetRawText())
            .ToList();
        return rows.Count > 0 ? rows : throw new InvalidOperationException($"no data rows in {path}");
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CreditRisk.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("CreditRisk.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The same source-generated serializer settings the server registers for its responses (web defaults).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ScoreResult))]
[JsonSerializable(typeof(BatchScoreResponse))]
internal sealed partial class BenchJson : JsonSerializerContext;
