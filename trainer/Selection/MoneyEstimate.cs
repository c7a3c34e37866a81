namespace CreditRisk.Trainer.Selection;

/// <summary>
/// The nested-CV estimate in money (docs/economics.md, docs/preregistration.md issue 28): per loan in the spec's
/// currency (mean money per applicant, each applicant's money averaged over the outer repeats, normal 95 % interval
/// over applicants) and per 1,000 lent (the same × 1,000 / mean exposure); paired differences on the same applicants
/// and folds; Bahnsen's savings; Verbraken's EMP.
/// </summary>
public sealed record MoneyEstimate(
    string Currency,
    double MeanExposure,
    CostEstimate Model,
    CostEstimate ModelRecalibrated,
    CostEstimate ApproveAll,
    CostEstimate RejectAll,
    CostEstimate TodaysRule,
    CostEstimate ModelMinusApproveAll,
    CostEstimate ModelMinusTodaysRule,
    CostEstimate RecalibratedMinusApproveAll,
    double Savings,
    double SavingsRecalibrated,
    double SavingsTodaysRule,
    double Emp,
    double EmpShareRejected,
    double DataRoi,
    double EmpAtDataRoi,
    IReadOnlyDictionary<string, int> Picks,
    IReadOnlyList<float> ModelPd,
    IReadOnlyList<float> RecalibratedPd)
{
    /// <summary>Verbraken et al. (2014)'s defaults: P(λ = 0), P(λ = 1), and the return on a repaid loan.</summary>
    public const double EmpP0 = 0.55, EmpP1 = 0.10, EmpRoi = 0.2644;

    /// <summary>A per-loan figure per 1,000 lent.</summary>
    public CostEstimate Per1000(CostEstimate perLoan) =>
        new(perLoan.Mean * 1000 / MeanExposure, perLoan.Ci95Low * 1000 / MeanExposure, perLoan.Ci95High * 1000 / MeanExposure);

    public static MoneyEstimate Of(Money money, bool[] isBad, double[] model, double[] recalibrated, double[] today,
        float[] modelPd, float[] recalibratedPd, IReadOnlyDictionary<string, int> picks)
    {
        var n = isBad.Length;
        var approveAll = Enumerable.Range(0, n).Select(i => money.Profit(i, isBad[i], rejected: false)).ToArray();
        var rejectAll = new double[n];
        double[] Minus(double[] a, double[] b) => [.. a.Zip(b, (x, y) => x - y)];

        // Bahnsen: cost = loss of approved defaulters + margin of rejected payers = Σ good margin − money.
        double Cost(double[] m) => Enumerable.Range(0, n).Sum(i => (isBad[i] || !money.Amounts[i].Valid ? 0 : money.Amounts[i].Margin) - m[i]);
        var baseline = Math.Min(Cost(approveAll), Cost(rejectAll));
        double Savings(double[] m) => 1 - Cost(m) / baseline;

        var roi = Enumerable.Range(0, n).Where(i => money.Amounts[i].Valid && money.Exposure[i] > 0)
            .Average(i => money.Amounts[i].Margin / (double)money.Exposure[i]);
        var (emp, rejected) = ExpectedMaximumProfit(modelPd, isBad, EmpRoi);
        return new MoneyEstimate(
            "",
            money.Exposure.Average(e => (double)e),
            CostEstimate.FromPerApplicant(model),
            CostEstimate.FromPerApplicant(recalibrated),
            CostEstimate.FromPerApplicant(approveAll),
            CostEstimate.FromPerApplicant(rejectAll),
            CostEstimate.FromPerApplicant(today),
            CostEstimate.FromPerApplicant(Minus(model, approveAll)),
            CostEstimate.FromPerApplicant(Minus(model, today)),
            CostEstimate.FromPerApplicant(Minus(recalibrated, approveAll)),
            Savings(model),
            Savings(recalibrated),
            Savings(today),
            emp,
            rejected,
            roi,
            ExpectedMaximumProfit(modelPd, isBad, roi).Emp,
            picks,
            modelPd,
            recalibratedPd);
    }

    /// <summary>
    /// EMP for credit scoring (Verbraken, Bravo, Weber &amp; Baesens 2014): the expected, over the LGD λ, of the best
    /// profit per unit lent a cut-off can make against approving everyone, P(k; λ) = (λ·B_k − ROI·G_k) / n when the k
    /// highest PDs are rejected (B_k defaulters, G_k payers among them; ties rejected together). λ has mass
    /// <see cref="EmpP0"/> at 0 (profit 0: reject nobody), <see cref="EmpP1"/> at 1, and is uniform between: integrated
    /// by the midpoint rule on 1,000 steps. Also returns the expected share rejected at the optimal cut-offs.
    /// </summary>
    public static (double Emp, double ShareRejected) ExpectedMaximumProfit(IReadOnlyList<float> pd, IReadOnlyList<bool> isBad, double roi)
    {
        var n = pd.Count;
        var order = Enumerable.Range(0, n).OrderByDescending(i => pd[i]).ToArray();
        var bad = new List<int> { 0 };
        var good = new List<int> { 0 };
        var rejected = new List<int> { 0 };
        int b = 0, g = 0;
        for (var k = 0; k < n; k++)
        {
            if (isBad[order[k]])
            { b++; }
            else
            { g++; }

            if (k + 1 == n || pd[order[k + 1]] != pd[order[k]])
            {
                bad.Add(b);
                good.Add(g);
                rejected.Add(k + 1);
            }
        }

        (double Profit, double Share) Best(double lambda)
        {
            var best = 0.0;
            var at = 0;
            for (var k = 0; k < bad.Count; k++)
            {
                var p = (lambda * bad[k] - roi * good[k]) / n;
                if (p > best)
                {
                    best = p;
                    at = k;
                }
            }

            return (best, rejected[at] / (double)n);
        }

        const int Steps = 1000;
        var (emp, share) = Best(1);
        emp *= EmpP1;
        share *= EmpP1;
        var density = (1 - EmpP0 - EmpP1) / Steps;
        for (var s = 0; s < Steps; s++)
        {
            var (p, r) = Best((s + 0.5) / Steps);
            emp += density * p;
            share += density * r;
        }

        return (emp, share);
    }
}
