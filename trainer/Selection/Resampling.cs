namespace CreditRisk.Trainer.Selection;

/// <summary>
/// How much resampling a book of n rows gets, fixed from n before anything is fitted (docs/preregistration.md, issue
/// 31): many outer repeats where the interval is wide (n = 1,000), one split of two folds where a single split's
/// interval is already narrow (n ≥ 50,000). The selection CV of the shipped model and the inner CV of every outer
/// training set use the same K × R, so the estimate is of the procedure that made the model.
/// </summary>
public sealed record Resampling(int Folds, int Repeats, int OuterFolds, int OuterRepeats)
{
    /// <summary>Below this many rows the outer resampling is 5-fold × 10.</summary>
    public const int Small = 5_000;

    /// <summary>From this many rows: selection 5-fold × 1, outer 2-fold × 1.</summary>
    public const int Large = 50_000;

    /// <summary>From this many rows the selection (and inner) CV is 3-fold × 1 (amendment registered before any run at
    /// that size, docs/preregistration.md): each candidate still gets n out-of-fold PDs, from fits on two thirds of the
    /// book, for half the fitting of 5 folds.</summary>
    public const int Huge = 500_000;

    public const string Rule = "selection CV 5-fold × 2 below 50,000 rows, 5-fold × 1 from 50,000, 3-fold × 1 from 500,000; outer resampling 5-fold × 10 below 5,000 rows, 5-fold × 2 below 50,000, 2-fold × 1 from 50,000";

    public static Resampling For(int rows) => rows switch
    {
        < Small => new(5, 2, 5, 10),
        < Large => new(5, 2, 5, 2),
        < Huge => new(5, 1, 2, 1),
        _ => new(3, 1, 2, 1),
    };
}
