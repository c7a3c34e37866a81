using System.Diagnostics;
using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;

namespace CreditRisk.Server.Tests;

/// <summary>A model file the server cannot serve stops it at start, with one line naming the file and the problem.</summary>
public sealed class ModelLoadTests
{
    public static TheoryData<string, string> BadModels()
    {
        var spec = TestModels.Spec();
        var tiny = TestModels.Tiny();
        var inputs = spec.Inputs.Select(f => (f.Name, f.IsCategory)).ToList();
        var firstCategory = spec.Inputs.First(f => f.IsCategory).Name;
        var driving = TestModels.DrivingInput(spec);
        var card = TestModels.Card(spec);
        var badReference = new Dictionary<string, JsonElement>(card.ReferenceApplicant) { [firstCategory] = JsonSerializer.SerializeToElement("noSuchValue") };
        return new()
        {
            { TestModels.Write("truncated.onnx", tiny[..(tiny.Length / 2)]), "not a valid ONNX model" },
            { TestModels.Write("empty.onnx", []), "not a valid ONNX model" },
            { TestModels.Write("text.onnx", "this is not a model"u8.ToArray()), "not a valid ONNX model" },
            { TestModels.Write("other-inputs.onnx", TestModels.Tiny(inputs: [("x", false), (driving, false)])), $"missing input '{firstCategory}'" },
            { TestModels.Write("extra-input.onnx", TestModels.Tiny(inputs: [.. inputs, ("label", false)])), "unexpected input 'label'" },
            { TestModels.Write("wrong-type.onnx", TestModels.Tiny(inputs: inputs.Select(i => (i.Name, false)))), $"input '{firstCategory}' must be a String tensor" },
            { TestModels.Write("wrong-output.onnx", TestModels.Tiny(output: "score")), $"no output '{ModelMetadataKeys.ProbabilityOutput}'" },
            { TestModels.Write("no-card.onnx", TestModels.Tiny(metadata: new Dictionary<string, string>())), $"metadata '{ModelMetadataKeys.ModelCard}' is missing" },
            { TestModels.Write("bad-card.onnx", TestModels.Tiny(metadata: new Dictionary<string, string> { [ModelMetadataKeys.ModelCard] = "{\"learner\": 1}" })), "is not a model card" },
            { TestModels.Write("old-card.onnx", TestModels.Tiny(card: card with { CardVersion = "1" })), "model card version 1" },
            { TestModels.Write("bad-threshold.onnx", TestModels.Tiny(card: card with { Threshold = 1.5 })), "decision threshold 1.5 is not within" },
            { TestModels.Write("bad-reference.onnx", TestModels.Tiny(card: card with { ReferenceApplicant = badReference })), $"reference applicant has values outside the spec: {firstCategory}" },
            { Path.Combine(TestModels.Directory, "missing.onnx"), "file not found" },
            { TestModels.Write("unstamped.onnx", TestModels.Tiny(stamp: false)), $"metadata '{ModelMetadataKeys.ContentHash}' is missing" },
            { TestModels.Write("wrong-hash.onnx", TestModels.Tiny(metadata: new Dictionary<string, string> { [ModelMetadataKeys.ModelCard] = TestModels.CardJson(card), [ModelMetadataKeys.ContentHash] = "0123456789ab" })), "the file was edited after export" },
            { TestModels.Write("edited-card.onnx", EditedCard(tiny, "\"threshold\":0.5", "\"threshold\":0.6")), "the file was edited after export" },
            { TestModels.Write("edited-shipped.onnx", EditedCard(File.ReadAllBytes(TestModels.Shipped), "\"costFalseNegative\":5", "\"costFalseNegative\":9")), "the file was edited after export" },
        };
    }

    /// <summary>The file with one string of its card replaced by another of the same length: still valid protobuf.</summary>
    internal static byte[] EditedCard(byte[] onnx, string from, string to)
    {
        var text = System.Text.Encoding.Latin1.GetString(onnx);
        Assert.Equal(from.Length, to.Length);
        Assert.Contains(from, text, StringComparison.Ordinal);
        return System.Text.Encoding.Latin1.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BadModels))]
    public void Bad_model_is_refused_naming_file_and_problem(string path, string problem)
    {
        var e = Assert.Throws<ModelLoadException>(() => new CreditModel(path));
        Assert.StartsWith($"Cannot load model '{path}': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [MemberData(nameof(TestModels.Datasets), MemberType = typeof(TestModels))]
    public void Hand_made_model_with_the_spec_inputs_loads_and_scores(string dataset)
    {
        var spec = TestModels.Spec(dataset);
        using var model = new CreditModel(TestModels.Write($"tiny-{dataset}.onnx", TestModels.Tiny(spec: spec)));
        var row = model.Example;
        var driving = spec.IndexOf(spec.Find(TestModels.DrivingInput(spec))!);
        row.Numbers[driving] = 20;
        Assert.Equal(1 / (1 + Math.Exp(-(0.1 * 20 - 2))), model.Predict(row), 6);
        Assert.Equal("TinyLogistic", model.Card.Learner);
        Assert.Equal(spec.Inputs.Select(f => f.Name), model.Inputs.Select(p => model.Features[p].Name));
        // Category values are the spec's own instances, so the one-row tensor cache and reason comparisons are cheap.
        var category = model.Inputs.First(p => model.Features[p].IsCategory);
        Assert.Same(model.Features[category].Values.Single(v => v.Value == row.Categories[category]).Value, row.Categories[category]);
    }

    [Theory]
    [InlineData("truncated.onnx", "not a valid ONNX model")]
    [InlineData("other-inputs.onnx", "missing input")]
    [InlineData("missing.onnx", "file not found")]
    public async Task Server_process_exits_non_zero_with_one_line_naming_the_file(string file, string problem)
    {
        _ = BadModels();
        var path = Path.Combine(TestModels.Directory, file);
        var (exitCode, stdout, stderr) = await RunServer(new() { ["Model__Path"] = path, ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" });

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"Cannot load model '{path}': ", line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_process_refuses_invalid_settings_in_one_line()
    {
        var (exitCode, _, stderr) = await RunServer(new() { ["Scoring__MaxBatchSize"] = "-1", ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" });
        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("MaxBatchSize", line, StringComparison.Ordinal);
    }

    internal static async Task<(int ExitCode, string Stdout, string Stderr)> RunServer(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [Paths.ServerDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        // A server that gets as far as the decision store opens it in the tests' temporary folder, not the user's.
        start.Environment["Records__DataFolder"] = Path.Combine(TestModels.Directory, "records");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
