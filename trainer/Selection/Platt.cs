namespace CreditRisk.Trainer.Selection;

/// <summary>
/// Logistic recalibration of a PD: <c>σ(A + B·logit(PD))</c>, fitted by maximum likelihood (Newton–Raphson). The same
/// fit on held-out PDs is the calibration slope (B) and intercept (A) of the report; A = 0, B = 1 changes nothing.
/// PDs are clamped to [<see cref="Epsilon"/>, 1 − <see cref="Epsilon"/>] before the logit, in the ONNX graph too.
/// </summary>
public sealed record Platt(double A, double B, double StdErrorA, double StdErrorB)
{
    public const double Epsilon = 1e-6;

    public static Platt Identity { get; } = new(0, 1, 0, 0);

    public static double Logit(double pd)
    {
        var p = Math.Clamp(pd, Epsilon, 1 - Epsilon);
        return Math.Log(p / (1 - p));
    }

    /// <summary>The fitted map, for the model card.</summary>
    public string Formula => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Platt: PD' = sigmoid({A:R} + {B:R} * logit(PD))");

    public double Apply(double pd) => 1 / (1 + Math.Exp(-(A + B * Logit(pd))));

    /// <summary>In <see cref="float"/>, as the ONNX graph computes it (<c>Clip → Log(p/(1−p)) → ·B + A → Sigmoid</c>).</summary>
    public float Apply(float pd)
    {
        var p = Math.Clamp(pd, (float)Epsilon, 1 - (float)Epsilon);
        var z = (float)A + (float)B * MathF.Log(p / (1 - p));
        return 1 / (1 + MathF.Exp(-z));
    }

    public float[] Apply(IReadOnlyList<float> pd) => pd.Select(Apply).ToArray();

    /// <summary>Maximum-likelihood fit of the outcome on logit(PD), with Wald standard errors from the information matrix.</summary>
    public static Platt Fit(IReadOnlyList<float> pd, IReadOnlyList<bool> isBad)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(pd.Count, isBad.Count, nameof(pd));
        var x = pd.Select(p => Logit(p)).ToArray();
        double a = 0, b = 1;
        double haa = 0, hab = 0, hbb = 0;
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double ga = 0, gb = 0;
            haa = hab = hbb = 0;
            for (var i = 0; i < x.Length; i++)
            {
                var p = 1 / (1 + Math.Exp(-(a + b * x[i])));
                var r = (isBad[i] ? 1 : 0) - p;
                var w = p * (1 - p);
                ga += r;
                gb += r * x[i];
                haa += w;
                hab += w * x[i];
                hbb += w * x[i] * x[i];
            }

            var det = haa * hbb - hab * hab;
            if (det <= 0)
            {
                break;
            }

            var da = (hbb * ga - hab * gb) / det;
            var db = (haa * gb - hab * ga) / det;
            a += da;
            b += db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-10)
            {
                break;
            }
        }

        var d = haa * hbb - hab * hab;
        return d <= 0 ? new Platt(a, b, double.NaN, double.NaN) : new Platt(a, b, Math.Sqrt(hbb / d), Math.Sqrt(haa / d));
    }
}
