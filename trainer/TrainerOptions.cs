using CreditRisk.Contracts;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer;

/// <summary>Options of the train and nested commands. Paths are relative to the working directory (the repository root by default).</summary>
public sealed record TrainerOptions
{
    public const string DefaultDataset = "data/german-credit/dataset.json";

    public int Seed { get; init; } = 42;

    /// <summary>The data set spec; its CSV path is relative to it.</summary>
    public string DatasetPath { get; init; } = DefaultDataset;

    /// <summary>Where artifacts go; null = <c>artifacts/&lt;spec.name&gt;/</c>.</summary>
    public string? OutputRoot { get; init; }

    /// <summary>One candidate per learner family and fewer repeats: for tests.</summary>
    public bool Quick { get; init; }

    /// <summary>Only this learner family's candidates (a single-family model, e.g. a challenger); null = every family.</summary>
    public LearnerKind? Family { get; init; }

    /// <summary>The candidates this run cross-validates: the grid, cut to <see cref="Family"/> when one is given.</summary>
    public IReadOnlyList<Candidate> Grid() =>
        Family is { } family ? [.. Candidate.Grid(Quick).Where(c => c.Kind == family)] : Candidate.Grid(Quick);

    /// <summary>Run only the nested cross-validation and write <c>nested-cv.json</c> (the default run does it too, first).</summary>
    public bool Nested { get; init; }

    /// <summary>Skip the estimate (the fast path): the card then says plainly it has none (<c>outerFolds</c> 0).</summary>
    public bool NoEstimate { get; init; }

    /// <summary>Folds of the selection CV (and the nested CV's inner CV); 0 = by the book's size (<see cref="Selection.Resampling.For"/>).</summary>
    public int Folds { get; init; }
    public double Smoothing { get; init; } = 0.03;

    /// <summary>Repeats of the selection CV; 0 = by the book's size (<see cref="Selection.Resampling.For"/>).</summary>
    public int Repeats { get; init; }

    /// <summary>Outer repeats of the estimate; 0 = by the book's size.</summary>
    public int NestedRepeats { get; init; }

    /// <summary>The resampling of this run, once <see cref="ResolvedFor"/> has filled it from the row count.</summary>
    public Resampling Resampling { get; private init; } = Resampling.For(0);

    /// <summary>Says whether the resampling is the registered rule's or the command line's (the report states it).</summary>
    public string ResamplingSource { get; private init; } = "";

    /// <summary>The options for a book of <paramref name="rows"/> rows: repeats not given on the command line follow
    /// the registered rule (docs/preregistration.md, issue 31).</summary>
    public TrainerOptions ResolvedFor(int rows)
    {
        var rule = Resampling.For(rows);
        var resampling = rule with
        {
            Folds = Folds > 0 ? Folds : rule.Folds,
            Repeats = Repeats > 0 ? Repeats : rule.Repeats,
            OuterRepeats = NestedRepeats > 0 ? NestedRepeats : rule.OuterRepeats,
        };
        return this with
        {
            Folds = resampling.Folds,
            Repeats = resampling.Repeats,
            NestedRepeats = resampling.OuterRepeats,
            Resampling = resampling,
            ResamplingSource = resampling == rule
                ? $"the registered rule for {rows:N0} rows"
                : $"set on the command line; the registered rule for {rows:N0} rows is selection {rule.Folds}-fold × {rule.Repeats}, outer {rule.OuterFolds}-fold × {rule.OuterRepeats}",
        };
    }

    /// <summary>Fairness report: a protected attribute's group with fewer applicants is suppressed (no figures, not in the verdict).</summary>
    public int MinGroupSize { get; init; } = Report.Fairness.DefaultMinGroupSize;

    /// <summary>Skip the report and charts (tests that only need the model).</summary>
    public bool NoReport { get; init; }

    public string OutputFor(DatasetSpec spec) => OutputRoot ?? Path.Combine("artifacts", spec.Name);

    /// <summary>The options of a command line of the train command (tests call the trainer this way); throws on a bad argument.</summary>
    public static TrainerOptions Parse(IReadOnlyList<string> args)
    {
        var result = TrainerCommandLine.Build().Parse([.. args]);
        return result.Errors.Count > 0
            ? throw new ArgumentException(result.Errors[0].Message)
            : TrainerCommandLine.OptionsFrom(result);
    }
}
