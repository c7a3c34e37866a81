using System.Globalization;

namespace CreditRisk.Contracts;

/// <summary>
/// The groups of a protected number (age): its training quartiles. One definition for the trainer's fairness report
/// and the server's monitoring, so that a reviewer can set the two side by side: the trainer writes the cut points to
/// <c>training-summary.json</c> (<c>fairnessCuts</c>) and monitoring groups live decisions with the same cuts and labels.
/// </summary>
public static class FairnessBands
{
    private static readonly double[] Quartiles = [0.25, 0.5, 0.75];

    /// <summary>The quartile cut points of <paramref name="values"/> (finite ones), lowest first, repeats dropped.</summary>
    public static double[] Cuts(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        return sorted.Length == 0 ? [] : [.. Quartiles.Select(q => sorted[(int)(q * (sorted.Length - 1))]).Distinct()];
    }

    /// <summary>The group of <paramref name="value"/>: "≤ 27", "27–33", "> 42" (a band holds (low, high]); null for a
    /// value that is not a finite number, or when there are no cuts.</summary>
    public static string? Label(IReadOnlyList<double> cuts, double value)
    {
        if (!double.IsFinite(value) || cuts.Count == 0)
        {
            return null;
        }

        var band = cuts.Count(c => value > c);
        return band switch
        {
            0 => $"≤ {N(cuts[0])}",
            _ when band == cuts.Count => $"> {N(cuts[^1])}",
            _ => $"{N(cuts[band - 1])}–{N(cuts[band])}",
        };
    }

    /// <summary>Every label of <paramref name="cuts"/>, lowest band first.</summary>
    public static IReadOnlyList<string> Labels(IReadOnlyList<double> cuts) =>
        cuts.Count == 0 ? [] : [$"≤ {N(cuts[0])}", .. Enumerable.Range(1, cuts.Count - 1).Select(b => $"{N(cuts[b - 1])}–{N(cuts[b])}"), $"> {N(cuts[^1])}"];

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
