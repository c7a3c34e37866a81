using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;

namespace CreditRisk.Trainer.Selection;

/// <summary>
/// The out-of-time split of a book whose spec names a <c>date</c> column (docs/preregistration.md, <c>out-of-time-v1</c>):
/// sorted by date, every row dated on or after the date at position ⌊0.8 n⌋ is the test window, every earlier row the
/// outer training set. No seed: the dates decide. Row indices ascend in both.
/// </summary>
public sealed record OutOfTimeSplit(int[] Train, int[] Test, OutOfTimeWindows Windows)
{
    /// <summary>Names the rule in the estimate's fingerprint.</summary>
    public const string ProcedureId = "out-of-time-v1";

    /// <summary>Each class needs this many rows in the outer training set (its inner CV has five folds).</summary>
    public const int MinimumPerClass = 10;

    public const string Rule = "sorted by the date column; the test window is every row dated on or after the date of the row at 80 % of that order " +
        "(the latest 20 % of the book, more when that date has ties: one date never straddles the cut); the whole procedure " +
        "(selection CV, recalibration rule, threshold, money rule) runs on the earlier rows only and scores the test window once";

    /// <summary>The split of <paramref name="rows"/> by the spec's date column; throws <see cref="CreditDataException"/>
    /// (one line) when a side cannot be estimated on: too few of a class.</summary>
    public static OutOfTimeSplit Of(DatasetSpec spec, IReadOnlyList<CreditRecord> rows)
    {
        var column = spec.Date ?? throw new InvalidOperationException("The spec names no date column.");
        var at = spec.IndexOf(column);
        // CreditData has refused every unreadable date already; this reads the same text through the same definition.
        var dates = rows.Select(r => DateValue.TryParse(r.Categories[at], out var d) ? d : throw new InvalidOperationException("A date the loader accepted no longer parses.")).ToArray();
        var n = rows.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => dates[i]).ThenBy(i => i).ToArray();
        var cut = dates[order[n * 4 / 5]];
        int[] train = [.. Enumerable.Range(0, n).Where(i => dates[i] < cut)];
        int[] test = [.. Enumerable.Range(0, n).Where(i => dates[i] >= cut)];

        int Bad(int[] side) => side.Count(i => rows[i].IsBad);
        var (trainBad, testBad) = (Bad(train), Bad(test));
        var problem = Math.Min(trainBad, train.Length - trainBad) < MinimumPerClass
            ? $"the {train.Length} rows dated before {DateValue.Format(cut)} hold {trainBad} bad and {train.Length - trainBad} good; the procedure needs at least {MinimumPerClass} of each"
            : testBad == 0 || testBad == test.Length
                ? $"the {test.Length} rows dated {DateValue.Format(cut)} or later are all {(testBad == 0 ? "good" : "bad")}; the test window needs both classes"
                : null;
        if (problem is not null)
        {
            throw new CreditDataException($"{spec.Source.Path}: column '{column.CsvColumn}' (role date): no out-of-time estimate: {problem}");
        }

        // The first and last dates as the data writes them (a month stays a month: 2016-07 is all of July).
        string First(int[] side) => rows[side.MinBy(i => dates[i])].Categories[at]!;
        string Last(int[] side) => rows[side.MaxBy(i => dates[i])].Categories[at]!;
        return new OutOfTimeSplit(train, test, new OutOfTimeWindows(column.Name, First(train), Last(train), train.Length, First(test), Last(test), test.Length));
    }
}
