using System.CommandLine;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Export;
using CreditRisk.Trainer.Selection;
using Spectre.Console;

namespace CreditRisk.Trainer;

/// <summary>
/// The command line (System.CommandLine): the default command trains (or, with <c>--nested</c>, runs the nested
/// cross-validation), <c>init</c> drafts a spec from a CSV. A bad argument prints one line and exits 2; any other
/// failure prints one line naming the step and the cause (a spec or data error names the field or the CSV line) and
/// exits 1, never a stack trace.
/// </summary>
public static class TrainerCommandLine
{
    public const int BadArguments = 2;
    public const int Failed = 1;

    private static readonly Option<string> Dataset = new("--dataset") { Description = "data set spec (JSON; its CSV path is relative to it)", DefaultValueFactory = _ => TrainerOptions.DefaultDataset };
    private static readonly Option<int> Seed = new("--seed") { Description = "random seed", DefaultValueFactory = _ => 42 };
    private static readonly Option<string?> Out = new("--out") { Description = "output directory (default artifacts/<spec name>)" };
    private static readonly Option<bool> Nested = new("--nested") { Description = "run only the estimate (nested cross-validation) and write <out>/nested-cv.json; the default run does it too" };
    private static readonly Option<bool> NoEstimate = new("--no-estimate") { Description = "fast path: skip the estimate; the model card then says it has none (outerFolds 0, the optimistic selection-CV cost)" };
    private static readonly Option<int> NestedRepeats = new("--nested-repeats") { Description = "outer repeats of the estimate (default: by the number of rows, docs/preregistration.md)" };
    private static readonly Option<int> Repeats = new("--repeats") { Description = "repeats of the selection CV (default: by the number of rows, docs/preregistration.md)" };
    private static readonly Option<bool> Quick = new("--quick") { Description = "one candidate per learner family, one repeat (tests)" };
    private static readonly Option<LearnerKind?> Family = new("--family") { Description = "only this learner family's candidates (LightGbm, FastTree, FastForest, LogisticRegression): a single-family model, e.g. a challenger" };
    private static readonly Option<double> Smoothing = new("--smoothing") { Description = "cost-curve smoothing for threshold and selection, share of rows each side", DefaultValueFactory = _ => 0.03 };
    private static readonly Option<int> MinGroupSize = new("--min-group-size") { Description = "fairness report: suppress a protected group with fewer applicants than this", DefaultValueFactory = _ => Report.Fairness.DefaultMinGroupSize };
    private static readonly Option<bool> NoReport = new("--no-report") { Description = "skip report and charts" };

    private static readonly Argument<string> ModelPath = new("model") { Description = "the model.onnx file (the configs are written beside it)" };
    private static readonly Argument<string> Csv = new("csv") { Description = "the CSV file (with a header line)" };
    private static readonly Option<string> Target = new("--target") { Description = "the outcome column", Required = true };
    private static readonly Option<string[]> Bad = new("--bad") { Description = "value(s) of the outcome column that mean bad (defaulted, charged off)", Required = true, AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string[]> Good = new("--good") { Description = "value(s) that mean good (default: every other value)", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string?> SpecOut = new("--out") { Description = "where to write the spec (default: dataset.json beside the CSV)" };
    private static readonly Option<char> Delimiter = new("--delimiter") { Description = "the CSV's delimiter", DefaultValueFactory = _ => ',' };

    public static RootCommand Build()
    {
        var root = new RootCommand("CreditRisk trainer: cross-validate, select, refit, export ONNX and report for the data set a spec describes.")
        {
            Dataset, Seed, Out, Nested, NoEstimate, NestedRepeats, Repeats, Quick, Family, Smoothing, MinGroupSize, NoReport,
        };
        root.SetAction(result => Guard(step =>
        {
            var options = OptionsFrom(result);
            if (options.Nested)
            {
                TrainerRun.Nested(options, step);
            }
            else
            {
                TrainerRun.Train(options, step);
            }
        }));

        var init = new Command("init", "Draft a data set spec from a CSV: infers kinds, category values, ranges and missing values, and prints what it guessed.")
        {
            Csv, Target, Bad, Good, SpecOut, Delimiter,
        };
        init.SetAction(result => Guard(step =>
        {
            step("draft the spec");
            var csv = result.GetValue(Csv)!;
            var specPath = result.GetValue(SpecOut) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(csv))!, "dataset.json");
            var draft = SpecDraft.FromCsv(csv, result.GetValue(Target)!, result.GetValue(Bad)!, result.GetValue(Good) ?? [], specPath, result.GetValue(Delimiter));
            foreach (var guess in draft.Guesses)
            {
                Console.WriteLine($"  {guess}"); // unwrapped: one guess per line
            }

            File.WriteAllText(specPath, SpecDraft.ToJson(draft.Spec));
            AnsiConsole.MarkupLine($"Wrote {Markup.Escape(specPath)}: {draft.Spec.Features.Count} attributes. Check the guesses (kinds, ranges, roles, labels, reasons), then train with --dataset {Markup.Escape(specPath)}.");
        }));
        root.Subcommands.Add(init);

        var configs = new Command("configs", "Write the Triton config.pbtxt and MLServer model-settings.json beside an existing model.onnx, from the file's own inputs, outputs and card.")
        {
            ModelPath,
        };
        configs.SetAction(result => Guard(step =>
        {
            step("write the serving configs");
            var model = result.GetValue(ModelPath)!;
            if (!File.Exists(model))
            {
                throw new FileNotFoundException($"no model file at {model}");
            }

            foreach (var path in ServingConfigs.Write(model))
            {
                AnsiConsole.MarkupLine($"Wrote {Markup.Escape(path)}");
            }
        }));
        root.Subcommands.Add(configs);
        return root;
    }

    /// <summary>The line width when stdout is a file or a pipe: Spectre.Console falls back to 80 columns there, which
    /// wraps each candidate's name over several lines of a log; a log has no width to fit, so tables take what they need.</summary>
    public const int RedirectedWidth = 1000;

    public static int Run(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = RedirectedWidth;
        }

        var result = Build().Parse(args);
        if (result.Errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {result.Errors[0].Message} (see --help)");
            return BadArguments;
        }

        return result.Invoke();
    }

    public static TrainerOptions OptionsFrom(ParseResult result)
    {
        var quick = result.GetValue(Quick);
        return new TrainerOptions
        {
            DatasetPath = result.GetValue(Dataset)!,
            Seed = result.GetValue(Seed),
            OutputRoot = result.GetValue(Out),
            Nested = result.GetValue(Nested),
            NoEstimate = result.GetValue(NoEstimate),
            Quick = quick,
            Family = result.GetValue(Family),
            // --quick means one repeat unless a count is given.
            Repeats = quick && result.GetResult(Repeats) is null or { Implicit: true } ? 1 : result.GetValue(Repeats),
            NestedRepeats = quick && result.GetResult(NestedRepeats) is null or { Implicit: true } ? 1 : result.GetValue(NestedRepeats),
            Smoothing = result.GetValue(Smoothing),
            MinGroupSize = result.GetValue(MinGroupSize),
            NoReport = result.GetValue(NoReport),
        };
    }

    /// <summary>
    /// Runs a command, told each step's name as it starts. A failure is one line on stderr naming that step and the
    /// cause, and exit 1, never a stack trace: spec and data errors are the user's to fix and their messages name the
    /// field or the CSV line; anything else names its exception type too, since its message alone may be generic.
    /// </summary>
    private static int Guard(Action<Action<string>> run)
    {
        var step = "start";
        try
        {
            run(name => step = name);
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {step}: {Cause(e)}");
            return Failed;
        }
    }

    /// <summary>The cause as one line: the first inner exception of a parallel loop or a wrapper, whitespace collapsed.</summary>
    public static string Cause(Exception e)
    {
        while (e is AggregateException or System.Reflection.TargetInvocationException or TypeInitializationException && e.InnerException is { } inner)
        {
            e = inner;
        }

        var message = string.Join(' ', e.Message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return e is DatasetSpecException or CreditDataException ? message : $"{message} ({e.GetType().Name})";
    }
}
