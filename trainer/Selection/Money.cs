using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;

namespace CreditRisk.Trainer.Selection;

/// <summary>
/// Each applicant's loss and margin (docs/economics.md) and the money a decision makes: approve a payer +margin,
/// approve a defaulter −loss, reject 0. With constant costs the loss and margin are the two constants (cost units).
/// </summary>
public sealed class Money
{
    private Money(LoanAmounts[] amounts, float[] exposure, bool loanLevel)
    {
        Amounts = amounts;
        Exposure = exposure;
        LoanLevel = loanLevel;
    }

    public LoanAmounts[] Amounts { get; }

    /// <summary>The amount lent per applicant (1 with constant costs).</summary>
    public float[] Exposure { get; }

    public bool LoanLevel { get; }

    public static Money Of(DatasetSpec spec, IReadOnlyList<CreditRecord> rows)
    {
        if (spec.Costs.Loan is not { } loan)
        {
            var constant = new LoanAmounts(true, (float)spec.Costs.FalseNegative, (float)spec.Costs.FalsePositive);
            return new Money([.. rows.Select(_ => constant)], [.. rows.Select(_ => 1f)], loanLevel: false);
        }

        int At(string name) => spec.IndexOf(spec.Find(name)!);
        var amounts = rows.Select(r => LoanEconomics.Amounts(loan, name => r.Numbers[At(name)], name => r.Categories[At(name)])).ToArray();
        return new Money(amounts, [.. rows.Select(r => r.Numbers[At(loan.Exposure)])], loanLevel: true);
    }

    public Money Subset(IReadOnlyList<int> indices) =>
        new([.. indices.Select(i => Amounts[i])], [.. indices.Select(i => Exposure[i])], LoanLevel);

    /// <summary>The applicant's threshold: margin/(margin+loss) with loan-level economics, <paramref name="constantThreshold"/>
    /// otherwise and where the amounts are not valid (as the ONNX graph).</summary>
    public float Threshold(int i, double constantThreshold) =>
        LoanLevel ? Amounts[i].Threshold((float)constantThreshold) : (float)constantThreshold;

    /// <summary>What approving or rejecting applicant <paramref name="i"/> made, knowing its outcome.</summary>
    public double Profit(int i, bool isBad, bool rejected) =>
        rejected || !Amounts[i].Valid ? 0 : isBad ? -Amounts[i].Loss : Amounts[i].Margin;

    /// <summary>Money of the per-applicant rule (reject when PD &gt; the applicant's threshold), per applicant.</summary>
    public double[] ProfitOfRule(IReadOnlyList<float> pd, IReadOnlyList<bool> isBad, double constantThreshold) =>
        [.. Enumerable.Range(0, pd.Count).Select(i => Profit(i, isBad[i], Decisions.Rejects(pd[i], Threshold(i, constantThreshold))))];
}
