using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditRisk.Contracts;

/// <summary>
/// The training distribution of each model input and of the PD: what production traffic is compared with (population
/// stability, issue 17). The trainer fits it on the training rows and a later card version carries it; the server
/// counts live applicants into the same bins and computes <see cref="Psi"/>. Both sides use this one file, so a value
/// falls in the same bin in training and in production.
/// </summary>
/// <remarks><see cref="MeanPd"/> and <see cref="ApprovalRate"/> (at the model's threshold) are the training figures the
/// live mean PD and approval rate are shown against.</remarks>
public sealed record MonitoringBaseline(int Rows, double MeanPd, double ApprovalRate, IReadOnlyList<FeatureBaseline> Features, Distribution Pd)
{
    /// <summary>Per PD bin of <see cref="Pd"/> (same edges), the bad rate among the fitted rows: what a band's realised
    /// bad rate in production is compared with. Empty when the fit was given no outcomes.</summary>
    public IReadOnlyList<BandBaseline> PdBands { get; init; } = [];

    /// <summary>Deciles: the usual PSI binning, coarse enough that a few hundred live applicants fill every bin.</summary>
    public const int DefaultBins = 10;

    /// <summary>
    /// Fits the baseline on training applicants: JSON values as in a request (a category's canonical value as a
    /// string, a number as a number; absent or null = missing), and their PDs (out-of-fold ones, so the PD bins
    /// describe the model on rows it did not see), and the model's decision threshold.
    /// </summary>
    public static MonitoringBaseline Fit(
        IEnumerable<FeatureSpec> features,
        IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> applicants,
        IReadOnlyList<double> pd,
        double threshold,
        int bins = DefaultBins,
        IReadOnlyList<bool>? isBad = null) =>
        Fit(
            features,
            applicants.Count,
            f => applicants.Select(a => Distribution.CategoryOf(a, f.Name)).ToArray(),
            f => applicants.Select(a => Distribution.NumberOf(a, f.Name)).ToArray(),
            pd,
            threshold,
            bins,
            isBad);

    /// <summary>
    /// As above, with each attribute's values read one column at a time (<paramref name="categories"/> for a
    /// category, <paramref name="numbers"/> for a number; null = missing): a book of a million loans never becomes a
    /// million request-shaped applicants at once (issue 31). The values must be what a request would carry.
    /// </summary>
    public static MonitoringBaseline Fit(
        IEnumerable<FeatureSpec> features,
        int rows,
        Func<FeatureSpec, IReadOnlyList<string?>> categories,
        Func<FeatureSpec, IReadOnlyList<double?>> numbers,
        IReadOnlyList<double> pd,
        double threshold,
        int bins = DefaultBins,
        IReadOnlyList<bool>? isBad = null)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(pd.Count, rows, nameof(pd));
        if (isBad is not null)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(isBad.Count, pd.Count, nameof(isBad));
        }

        ArgumentOutOfRangeException.ThrowIfZero(pd.Count, nameof(pd));
        var fitted = features
            .Select(f => new FeatureBaseline(f.Name, f.IsCategory
                ? Distribution.OfCategories(f.Values.Select(v => v.Value).ToArray(), categories(f))
                : Distribution.OfNumbers(numbers(f), bins)))
            .ToArray();
        var pdDistribution = Distribution.OfNumbers(pd.Select(p => (double?)p).ToArray(), bins);
        return new MonitoringBaseline(
            rows,
            pd.Average(),
            (double)pd.Count(p => !Decisions.Rejects(p, threshold)) / pd.Count,
            fitted,
            pdDistribution)
        {
            PdBands = isBad is null ? [] : BandBaseline.Of(pdDistribution.Edges!, pd, isBad),
        };
    }
}

public sealed record FeatureBaseline(string Name, Distribution Distribution);

/// <summary>One PD band, (<see cref="Low"/>, <see cref="High"/>] (null = open end), in training: its rows, their bad
/// rate and their mean PD.</summary>
public sealed record BandBaseline(double? Low, double? High, int Rows, double BadRate, double MeanPd)
{
    /// <summary>Bands cut at <paramref name="edges"/> by <see cref="Distribution.BinOf"/>, the rule every PD band uses.</summary>
    public static BandBaseline[] Of(IReadOnlyList<double> edges, IReadOnlyList<double> pd, IReadOnlyList<bool> isBad)
    {
        var rows = new int[edges.Count + 1];
        var bad = new int[edges.Count + 1];
        var pdSum = new double[edges.Count + 1];
        for (var i = 0; i < pd.Count; i++)
        {
            var b = Distribution.BinOf(edges, pd[i]);
            rows[b]++;
            pdSum[b] += pd[i];
            bad[b] += isBad[i] ? 1 : 0;
        }

        return Enumerable.Range(0, edges.Count + 1)
            .Select(b => new BandBaseline(
                b == 0 ? null : edges[b - 1],
                b == edges.Count ? null : edges[b],
                rows[b],
                rows[b] == 0 ? 0 : (double)bad[b] / rows[b],
                rows[b] == 0 ? 0 : pdSum[b] / rows[b]))
            .ToArray();
    }
}

/// <summary>
/// Shares of a sample over fixed bins. A number: <see cref="Edges"/> are ascending cut points, bin <c>i</c> holds
/// values in (<c>Edges[i−1]</c>, <c>Edges[i]</c>] (the first bin everything up to <c>Edges[0]</c>, the last everything
/// above the last edge), so there is one more bin than edges. A category: one bin per entry of <see cref="Levels"/>.
/// <see cref="Shares"/> are fractions of the non-missing values; <see cref="MissingShare"/> is the fraction of all
/// values that were missing (a bin of its own in PSI).
/// </summary>
public sealed record Distribution
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<double>? Edges { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Levels { get; init; }

    public required IReadOnlyList<double> Shares { get; init; }

    public double MissingShare { get; init; }

    [JsonIgnore]
    public bool IsCategory => Levels is not null;

    /// <summary>
    /// Quantile bins of the non-missing values: cut points at the <c>k/bins</c> quantiles (the smallest value with at
    /// least that fraction of the sample at or below it), repeated cut points merged. A feature with few distinct
    /// values (e.g. 1–4) therefore gets fewer bins, each holding one value or a run of values, never an empty one.
    /// </summary>
    public static Distribution OfNumbers(IReadOnlyList<double?> values, int bins = MonitoringBaseline.DefaultBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var present = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).Order().ToArray();
        var edges = new List<double>();
        for (var k = 1; k < bins && present.Length > 0; k++)
        {
            var edge = present[(int)Math.Ceiling((double)k * present.Length / bins) - 1];
            // A cut at the maximum would leave the last bin empty in training: every later value above it is drift.
            if (edge < present[^1] && (edges.Count == 0 || edge > edges[^1]))
            {
                edges.Add(edge);
            }
        }

        return new Distribution { Edges = edges, Shares = [] }.CountNumbers(values);
    }

    /// <summary>Shares of each listed level (the spec's values, in spec order), so a level unseen in training still has a bin.</summary>
    public static Distribution OfCategories(IReadOnlyList<string> levels, IReadOnlyList<string?> values) =>
        new Distribution { Levels = levels, Shares = [] }.CountCategories(values);

    /// <summary>The bin of a number under these edges (see the type's summary): the count of edges strictly below it.</summary>
    public static int BinOf(IReadOnlyList<double> edges, double value)
    {
        var bin = 0;
        while (bin < edges.Count && value > edges[bin])
        {
            bin++;
        }

        return bin;
    }

    /// <summary>A sample counted into this distribution's bins: same edges or levels, the sample's shares.</summary>
    public Distribution CountNumbers(IReadOnlyList<double?> values)
    {
        var edges = Edges ?? throw new InvalidOperationException("A category distribution counts categories, not numbers.");
        var counts = new int[edges.Count + 1];
        var missing = 0;
        foreach (var v in values)
        {
            if (v is { } x && double.IsFinite(x))
            {
                counts[BinOf(edges, x)]++;
            }
            else
            {
                missing++;
            }
        }

        return this with { Shares = SharesOf(counts), MissingShare = values.Count == 0 ? 0 : (double)missing / values.Count };
    }

    /// <summary>As <see cref="CountNumbers"/> for a category. A value that is not a level cannot reach here (requests and
    /// data are checked against the spec first); it is refused rather than silently dropped.</summary>
    public Distribution CountCategories(IReadOnlyList<string?> values)
    {
        var levels = Levels ?? throw new InvalidOperationException("A number distribution counts numbers, not categories.");
        var counts = new int[levels.Count];
        var missing = 0;
        foreach (var v in values)
        {
            if (v is null)
            {
                missing++;
                continue;
            }

            var i = IndexOf(levels, v);
            counts[i >= 0 ? i : throw new ArgumentException($"'{v}' is not a level of this distribution.", nameof(values))]++;
        }

        return this with { Shares = SharesOf(counts), MissingShare = values.Count == 0 ? 0 : (double)missing / values.Count };
    }

    /// <summary>A live sample of request-shaped applicants counted into this distribution's bins, reading field <paramref name="name"/>.</summary>
    public Distribution Count(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> applicants, string name) => IsCategory
        ? CountCategories(applicants.Select(a => CategoryOf(a, name)).ToArray())
        : CountNumbers(applicants.Select(a => NumberOf(a, name)).ToArray());

    /// <summary>Bins of a sample with all values missing look empty; PSI then sees only the missing bin.</summary>
    private static double[] SharesOf(int[] counts)
    {
        var total = counts.Sum();
        return counts.Select(c => total == 0 ? 0 : (double)c / total).ToArray();
    }

    private static int IndexOf(IReadOnlyList<string> levels, string value)
    {
        for (var i = 0; i < levels.Count; i++)
        {
            if (levels[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    public static string? CategoryOf(IReadOnlyDictionary<string, JsonElement> applicant, string name) =>
        applicant.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static double? NumberOf(IReadOnlyDictionary<string, JsonElement> applicant, string name) =>
        applicant.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}

/// <summary>How far a population moved, by the usual PSI bands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PsiBand>))]
public enum PsiBand
{
    /// <summary>PSI below 0.1.</summary>
    [JsonStringEnumMemberName("stable")]
    Stable,

    /// <summary>PSI from 0.1 to 0.25: look at it.</summary>
    [JsonStringEnumMemberName("watch")]
    Watch,

    /// <summary>PSI above 0.25: the population has shifted; the model's figures no longer describe it.</summary>
    [JsonStringEnumMemberName("act")]
    Act,
}

/// <summary>Population stability index: Σ (actual − expected) · ln(actual / expected) over the bins and the missing bin.</summary>
public static class Psi
{
    /// <summary>
    /// The share used for a bin that is empty in either sample (0.0001, the common choice): ln(0) is undefined, and an
    /// empty live bin on a small window must cost a finite, large amount rather than break the figure. Shares are
    /// floored, not renormalised, so a bin empty in both contributes exactly 0.
    /// </summary>
    public const double Epsilon = 1e-4;

    public const double WatchFrom = 0.1;
    public const double ActAbove = 0.25;

    public static double Of(Distribution expected, Distribution actual)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(actual.Shares.Count, expected.Shares.Count, nameof(actual));
        // Bin shares are of the non-missing values; scale them to the whole sample so bins and missing sum to 1.
        double Share(Distribution d, int i) => d.Shares[i] * (1 - d.MissingShare);
        var psi = Term(expected.MissingShare, actual.MissingShare);
        for (var i = 0; i < expected.Shares.Count; i++)
        {
            psi += Term(Share(expected, i), Share(actual, i));
        }

        return psi;
    }

    public static double Term(double expected, double actual)
    {
        double e = Math.Max(expected, Epsilon), a = Math.Max(actual, Epsilon);
        return (a - e) * Math.Log(a / e);
    }

    public static PsiBand Band(double psi) => psi > ActAbove ? PsiBand.Act : psi >= WatchFrom ? PsiBand.Watch : PsiBand.Stable;
}
