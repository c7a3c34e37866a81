using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Report;

/// <summary>One bin of a reliability diagram: applicants, mean PD, observed bad rate with its Wilson 95 % interval.</summary>
public sealed record ReliabilityBin(int Applicants, double MeanPd, double BadRate, double Ci95Low, double Ci95High);

/// <summary>
/// How far PDs can be taken at face value, on PDs from models that never saw the applicant (one PD per applicant, so
/// the rows are independent for the tests). "Expected cost = 5·PD" is only true if these hold.
/// </summary>
/// <param name="CalibrationInTheLarge">Mean PD minus the bad rate (0 = right on average), with its 95 % interval.</param>
/// <param name="Slope">Slope of the logistic regression of the outcome on logit(PD): 1 = right spread, &lt; 1 = PDs too extreme.</param>
/// <param name="SpiegelhalterZ">Spiegelhalter's z (calibration of each PD, not only on average) and its two-sided p-value.</param>
public sealed record CalibrationReport(
    int Applicants,
    double Brier,
    double LogLoss,
    double MeanPd,
    double BadRate,
    double CalibrationInTheLarge,
    double CitlCi95Low,
    double CitlCi95High,
    double Intercept,
    double InterceptCi95Low,
    double InterceptCi95High,
    double Slope,
    double SlopeCi95Low,
    double SlopeCi95High,
    double SpiegelhalterZ,
    double SpiegelhalterP,
    IReadOnlyList<ReliabilityBin> Bins)
{
    /// <summary>The pre-registered rule (docs/preregistration.md): miscalibrated if the slope's interval excludes 1, or
    /// calibration-in-the-large's excludes 0, or Spiegelhalter's p &lt; 0.05.</summary>
    public bool Miscalibrated => SlopeCi95Low > 1 || SlopeCi95High < 1 || CitlCi95Low > 0 || CitlCi95High < 0 || SpiegelhalterP < 0.05;

    public const int DefaultBins = 10;

    public static CalibrationReport Of(IReadOnlyList<float> pd, IReadOnlyList<bool> isBad, int bins = DefaultBins)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(pd.Count, isBad.Count, nameof(pd));
        var n = pd.Count;
        double brier = 0, logLoss = 0, num = 0, den = 0;
        for (var i = 0; i < n; i++)
        {
            var p = Math.Clamp((double)pd[i], Platt.Epsilon, 1 - Platt.Epsilon);
            var y = isBad[i] ? 1.0 : 0.0;
            brier += (y - p) * (y - p);
            logLoss -= y * Math.Log(p) + (1 - y) * Math.Log(1 - p);
            num += (y - p) * (1 - 2 * p);
            den += (1 - 2 * p) * (1 - 2 * p) * p * (1 - p);
        }

        var meanPd = pd.Average(p => (double)p);
        var badRate = isBad.Count(b => b) / (double)n;
        // Calibration-in-the-large: the mean of (PD − outcome); its interval from the spread of those differences.
        var diffs = Enumerable.Range(0, n).Select(i => pd[i] - (isBad[i] ? 1.0 : 0.0)).ToArray();
        var sd = Math.Sqrt(diffs.Sum(d => (d - (meanPd - badRate)) * (d - (meanPd - badRate))) / (n - 1));
        var citlHalf = 1.96 * sd / Math.Sqrt(n);
        var fit = Platt.Fit(pd, isBad);
        var z = den > 0 ? num / Math.Sqrt(den) : double.NaN;
        return new CalibrationReport(
            n, brier / n, logLoss / n, meanPd, badRate,
            meanPd - badRate, meanPd - badRate - citlHalf, meanPd - badRate + citlHalf,
            fit.A, fit.A - 1.96 * fit.StdErrorA, fit.A + 1.96 * fit.StdErrorA,
            fit.B, fit.B - 1.96 * fit.StdErrorB, fit.B + 1.96 * fit.StdErrorB,
            z, 2 * Normal.UpperTail(Math.Abs(z)),
            Reliability(pd, isBad, bins));
    }

    /// <summary>Equal-count bins by PD (ties kept together by sorting on PD, then position).</summary>
    public static IReadOnlyList<ReliabilityBin> Reliability(IReadOnlyList<float> pd, IReadOnlyList<bool> isBad, int bins)
    {
        var order = Enumerable.Range(0, pd.Count).OrderBy(i => pd[i]).ThenBy(i => i).ToArray();
        var result = new List<ReliabilityBin>();
        for (var b = 0; b < bins; b++)
        {
            var members = order[(b * order.Length / bins)..((b + 1) * order.Length / bins)];
            if (members.Length == 0)
            {
                continue;
            }

            var bad = members.Count(i => isBad[i]);
            var (low, high) = Wilson(bad, members.Length);
            result.Add(new ReliabilityBin(members.Length, members.Average(i => (double)pd[i]), bad / (double)members.Length, low, high));
        }

        return result;
    }

    /// <summary>Wilson score 95 % interval of a proportion.</summary>
    public static (double Low, double High) Wilson(int successes, int n)
    {
        if (n == 0)
        {
            return (double.NaN, double.NaN);
        }

        const double Z = 1.96;
        var p = successes / (double)n;
        var centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n);
        var half = Z * Math.Sqrt(p * (1 - p) / n + Z * Z / (4.0 * n * n)) / (1 + Z * Z / n);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}

/// <summary>The standard normal distribution's upper tail (for p-values).</summary>
public static class Normal
{
    /// <summary>P(Z &gt; z), from the complementary error function.</summary>
    public static double UpperTail(double z) => double.IsNaN(z) ? double.NaN : 0.5 * Erfc(z / Math.Sqrt(2));

    private static double Erfc(double x)
    {
        // Numerical Recipes' erfc (Chebyshev fit), fractional error < 1.2e-7 everywhere.
        var t = 1 / (1 + 0.5 * Math.Abs(x));
        var y = t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : 2 - y;
    }
}
