using CreditRisk.Contracts;

namespace CreditRisk.Trainer;

/// <summary>Command-line options. Paths are relative to the working directory (the repository root by default).</summary>
public sealed record TrainerOptions
{
    public int Seed { get; init; } = 42;
    public const string DefaultDataset = "data/german-credit/dataset.json";

    /// <summary>The data set spec; its CSV path is relative to it.</summary>
    public string DatasetPath { get; init; } = DefaultDataset;

    /// <summary>Where artifacts go; null = <c>artifacts/&lt;spec.name&gt;/</c>.</summary>
    public string? OutputRoot { get; init; }

    public string OutputFor(DatasetSpec spec) => OutputRoot ?? Path.Combine("artifacts", spec.Name);

    /// <summary>One candidate per learner family and fewer repeats: for tests.</summary>
    public bool Quick { get; init; }

    /// <summary>Run the nested cross-validation (its own command) and write <c>nested-cv.json</c>.</summary>
    public bool Nested { get; init; }

    public int Folds { get; init; } = 5;
    public double Smoothing { get; init; } = 0.03;
    public int Repeats { get; init; } = 2;
    public int NestedRepeats { get; init; } = 10;

    /// <summary>Skip the report and charts (tests that only need the model).</summary>
    public bool NoReport { get; init; }

    public const string Usage = """
        Usage: dotnet run --project trainer -c Release -- [options]
          --seed N              random seed (default 42)
          --dataset PATH        data set spec (default data/german-credit/dataset.json)
          --out DIR             output directory (default artifacts/<spec name>)
          --nested              run nested cross-validation only and write DIR/nested-cv.json
          --nested-repeats N    outer repeats of the nested CV (default 10)
          --repeats N           repeats of the selection CV (default 2)
          --quick               one candidate per learner family, 1 repeat (tests)
          --smoothing S         cost-curve smoothing for threshold and selection, share of rows each side (default 0.03)
          --no-report           skip report and charts
        """;

    public static TrainerOptions Parse(IReadOnlyList<string> args)
    {
        var options = new TrainerOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--seed" => options with { Seed = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--dataset" => options with { DatasetPath = Next() },
                "--out" => options with { OutputRoot = Next() },
                "--nested" => options with { Nested = true },
                "--nested-repeats" => options with { NestedRepeats = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--repeats" => options with { Repeats = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--quick" => options with { Quick = true, Repeats = 1, NestedRepeats = 1 },
                "--no-report" => options with { NoReport = true },
                "--smoothing" => options with { Smoothing = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}"),
            };
        }

        return options;
    }
}
