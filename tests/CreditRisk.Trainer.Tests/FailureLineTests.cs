using System.Diagnostics;

namespace CreditRisk.Trainer.Tests;

/// <summary>
/// A failed trainer run, as a person at a terminal sees it: the real trainer process, exit 1, and exactly one line on
/// stderr naming the step and the cause, never a stack trace (issue 31).
/// </summary>
[Collection(TrainerRuns.Name)]
public sealed class FailureLineTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("creditrisk-failure-");

    public void Dispose() => _scratch.Delete(recursive: true);

    private static (int ExitCode, string Stdout, string Stderr) Trainer(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Paths.Root };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CreditRisk.Trainer.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the trainer did not exit");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string OneLine((int ExitCode, string Stdout, string Stderr) run)
    {
        Assert.Equal(1, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{run.Stderr}");
        foreach (var text in new[] { run.Stdout, run.Stderr })
        {
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        }

        return lines[0];
    }

    [Fact]
    public void An_output_directory_that_cannot_be_created_fails_in_one_line_naming_the_step()
    {
        var file = Path.Combine(_scratch.FullName, "a-file");
        File.WriteAllText(file, "not a directory");
        var line = OneLine(Trainer("--out", file, "--quick", "--no-report"));
        Assert.StartsWith($"error: {TrainerRun.LoadStep}: ", line, StringComparison.Ordinal);
        Assert.Contains("(IOException)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_model_fails_in_one_line_naming_the_step()
    {
        var notOnnx = Path.Combine(_scratch.FullName, "model.onnx");
        File.WriteAllText(notOnnx, "this is not an ONNX file\nsecond line\n");
        var line = OneLine(Trainer("configs", notOnnx));
        Assert.StartsWith("error: write the serving configs: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_error_names_the_step_and_the_csv_line()
    {
        var spec = Path.Combine(_scratch.FullName, "dataset.json");
        File.WriteAllText(spec, """
            {"name":"t","title":"T","source":{"path":"t.csv"},"target":{"column":"outcome","bad":["1"],"good":["0"]},
             "features":[{"name":"amount","kind":"integer","min":1,"max":100}]}
            """);
        File.WriteAllText(Path.Combine(_scratch.FullName, "t.csv"), "amount,outcome\n5,1\n500,0\n");
        var line = OneLine(Trainer("--dataset", spec, "--out", _scratch.FullName, "--quick"));
        Assert.StartsWith($"error: {TrainerRun.LoadStep}: ", line, StringComparison.Ordinal);
        Assert.Contains("t.csv line 3, column 'amount': '500' must be a whole number from 1 to 100", line, StringComparison.Ordinal);
    }
}
