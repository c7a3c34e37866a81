using System.Globalization;
using CreditRisk.Contracts;
using CreditRisk.Server.Records;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// What a loan-basis model's decisions made, from matured outcomes and the amounts recorded with each decision. Pure:
/// the caller reads the window. The decision and amounts are those served, never recomputed, so a later model or
/// spec change does not rewrite history.
/// </summary>
public static class RealisedMoney
{
    /// <summary>The money of one matured decision: approved and repaid +margin, approved and defaulted −loss, rejected 0
    /// (the convention of the nested-CV estimate, docs/economics.md).</summary>
    public static double Of(bool rejected, bool defaulted, double loss, double margin) =>
        rejected ? 0 : defaulted ? -loss : margin;

    /// <summary>
    /// The money of one matured decision as the lender booked it: when the outcome carries either amount, an approval
    /// earns interestReceived − lossAmount (a missing one 0: an outcome that gives only the interest wrote nothing off,
    /// one that gives only the loss received no interest); otherwise the spec's formula (the four-argument Of) on the
    /// amounts recorded with the decision. A reject earns 0 whatever its outcome carries: no loan was made.
    /// </summary>
    public static double Of(bool rejected, bool defaulted, double loss, double margin, double? interestReceived, double? lossAmount) =>
        rejected ? 0
        : interestReceived is not null || lossAmount is not null ? (interestReceived ?? 0) - (lossAmount ?? 0)
        : Of(rejected, defaulted, loss, margin);

    /// <summary>Null unless the model decides on loan-level economics; <paramref name="window"/> in any order.</summary>
    public static MoneyFigures? Figures(ModelCard card, IReadOnlyList<WindowDecision> window, MoneyInterval? nestedCv)
    {
        if (card.Economics is not { Basis: DecisionEconomics.Loan } economics)
        {
            return null;
        }

        var matured = window.Where(d => d.Defaulted is not null).ToArray();
        var priced = matured.Where(HasAmounts).OrderBy(d => d.DecidedAt).ToArray();
        var money = priced.Select(Money).ToArray();
        var expected = priced.Select(Expected).ToArray();
        double? perLoan = priced.Length == 0 ? null : money.Average();
        double? low = null, high = null;
        if (priced.Length >= 2)
        {
            var mean = perLoan!.Value;
            var sd = Math.Sqrt(money.Sum(m => (m - mean) * (m - mean)) / (money.Length - 1));
            low = mean - 1.96 * sd / Math.Sqrt(money.Length);
            high = mean + 1.96 * sd / Math.Sqrt(money.Length);
        }

        var rejected = priced.Where(d => d.Rejected).ToArray();
        var edges = card.Monitoring?.Pd.Edges ?? [];
        return new MoneyFigures(
            economics.Currency ?? "",
            priced.Length,
            matured.Length - priced.Length,
            priced.Count(d => !d.Rejected && CarriesAmounts(d)),
            priced.Count(d => !d.Rejected && d.Defaulted == false),
            priced.Count(d => !d.Rejected && d.Defaulted == true),
            rejected.Count(d => d.Defaulted == false),
            rejected.Count(d => d.Defaulted == true),
            priced.Length == 0 ? null : money.Sum(),
            perLoan,
            low,
            high,
            priced.Length == 0 ? null : expected.Average(),
            rejected.Where(d => d.Defaulted == false).Sum(d => d.Money!.Margin!.Value),
            rejected.Where(d => d.Defaulted == true).Sum(d => d.Money!.Loss!.Value),
            nestedCv,
            high is { } h && nestedCv is { } n ? h < n.Ci95Low : null,
            [.. priced
                .GroupBy(d => d.DecidedAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture))
                .Select(g => new MoneyPeriod(g.Key, g.Count(), g.Count(d => d.Defaulted == true), g.Average(Money), g.Average(Expected)))],
            [.. Enumerable.Range(0, edges.Count + 1).Select(b =>
            {
                var band = priced.Where(d => Distribution.BinOf(edges, d.Pd) == b).ToArray();
                return new MoneyBand(
                    b == 0 ? null : edges[b - 1],
                    b == edges.Count ? null : edges[b],
                    band.Length,
                    band.Count(d => d.Defaulted == true),
                    band.Length == 0 ? null : band.Average(Money),
                    band.Length == 0 ? null : band.Average(Expected));
            })]);
    }

    /// <summary>Recorded with its loan's own amounts: not a fallback, not a decision recorded before the store kept money.</summary>
    private static bool HasAmounts(WindowDecision d) =>
        d.Money is { Basis: DecisionEconomics.Loan, Loss: { } loss, Margin: { } margin, ExpectedProfit: { } e }
        && double.IsFinite(loss) && double.IsFinite(margin) && double.IsFinite(e);

    private static bool CarriesAmounts(WindowDecision d) => d.InterestReceived is not null || d.LossAmount is not null;

    private static double Money(WindowDecision d) =>
        Of(d.Rejected, d.Defaulted!.Value, d.Money!.Loss!.Value, d.Money.Margin!.Value, d.InterestReceived, d.LossAmount);

    /// <summary>What the model expected of the decision when it made it: an approval's expected profit, a reject's 0.</summary>
    private static double Expected(WindowDecision d) => d.Rejected ? 0 : d.Money!.ExpectedProfit!.Value;
}
