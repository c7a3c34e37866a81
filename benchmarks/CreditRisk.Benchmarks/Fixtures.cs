using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring;
using CreditRisk.Server.Scoring.Input;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace CreditRisk.Benchmarks;

/// <summary>What the benchmarks score: a shipped model (artifacts/&lt;dataset&gt;/) and real applicants from its golden file.</summary>
public static class Fixtures
{
    public const string German = "german-credit";
    public const string LendingClub = "lending-club";

    /// <summary>The repository root: the folder holding CreditRisk.sln above the binaries or the working directory.</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The data set of the benchmarks that take no Dataset parameter (CREDITRISK_DATASET, default German Credit).</summary>
    public static string DefaultDataset => Environment.GetEnvironmentVariable("CREDITRISK_DATASET") is { Length: > 0 } d ? d : German;

    /// <summary>A shipped model: CREDITRISK_MODEL, else the copy the build puts beside the binaries, else artifacts/ in the repository.</summary>
    public static string ModelPath(string dataset)
    {
        var fromEnv = Environment.GetEnvironmentVariable("CREDITRISK_MODEL");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Path.GetFullPath(fromEnv);
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "artifacts", dataset, "model.onnx");
        return File.Exists(beside) ? beside : Path.Combine(RepoRoot, "artifacts", dataset, "model.onnx");
    }

    public static CreditModel LoadModel(string dataset) => new(ModelPath(dataset));

    public static Scorer NewScorer(CreditModel model, bool reasons) =>
        new(model, Options.Create(new ScoringOptions { Reasons = reasons, MaxBatchSize = 100_000 }));

    /// <summary>The "data" rows of artifacts/&lt;dataset&gt;/golden.json (real applicants), each as its JSON text.</summary>
    public static IReadOnlyList<string> GoldenJson(string dataset)
    {
        var path = Path.Combine(RepoRoot, "artifacts", dataset, "golden.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "data")
            .Select(r => r.GetProperty("input").GetRawText())
            .ToList();
        return rows.Count > 0 ? rows : throw new InvalidOperationException($"no data rows in {path}");
    }

    /// <summary>The golden applicants, parsed and validated by the server's own reader for this model.</summary>
    public static ApplicantRow[] GoldenApplicants(CreditModel model, string dataset)
    {
        var reader = new ApplicantReader(model);
        return [.. GoldenJson(dataset).Select(j => Parse(reader, j))];
    }

    /// <summary><paramref name="count"/> applicants cycling through the golden ones.</summary>
    public static ApplicantRow[] Applicants(CreditModel model, string dataset, int count)
    {
        var golden = GoldenApplicants(model, dataset);
        return [.. Enumerable.Range(0, count).Select(i => golden[i % golden.Length])];
    }

    public static ApplicantRow Parse(ApplicantReader reader, string json)
    {
        var errors = new ValidationErrors();
        return reader.ReadApplicant(new ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(json)), errors)
            ?? throw new InvalidOperationException("golden applicant rejected: " + string.Join("; ", errors.ToDictionary().Select(e => e.Key)));
    }

    /// <summary>One applicant as plain ONNX Runtime inputs (new tensors, no server cache): for the ORT floor and profile.</summary>
    public static (string[] Names, OrtValue[] Values) OrtInputs(CreditModel model, ApplicantRow applicant) => OrtInputs(model, [applicant]);

    /// <summary>Applicants as plain ONNX Runtime inputs of shape [N,1] (new tensors, no server cache).</summary>
    public static (string[] Names, OrtValue[] Values) OrtInputs(CreditModel model, IReadOnlyList<ApplicantRow> applicants)
    {
        long[] shape = [applicants.Count, 1];
        var names = model.Inputs.Select(p => model.Features[p].Name).ToArray();
        var values = model.Inputs.Select(p => model.Features[p].IsCategory
            ? OrtValue.CreateFromStringTensor(new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<string>(applicants.Select(a => a.Categories[p] ?? "").ToArray(), [applicants.Count, 1]))
            : OrtValue.CreateTensorValueFromMemory(applicants.Select(a => a.Numbers[p]).ToArray(), shape)).ToArray();
        return (names, values);
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
