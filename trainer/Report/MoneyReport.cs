using System.Globalization;
using System.Text;
using CreditRisk.Contracts;

namespace CreditRisk.Trainer;

/// <summary>
/// The report's money view (issue 28, docs/economics.md), for a spec with loan-level economics and its nested run:
/// the model against approve-all, reject-all and the 5:1 rule, per loan and per 1,000 lent; the profit against the
/// approval rate; money by rate band and by term.
/// </summary>
public static class MoneyReport
{
    public static void Write(StringBuilder md, ReportFacts f)
    {
        if (f.Spec.Costs.Loan is not { } loan)
        {
            return;
        }

        md.AppendLine("## Money (loan-level economics)").AppendLine();
        if (f.Nested?.Money is not { } m)
        {
            md.AppendLine("Not measured: run the nested cross-validation (`--nested`) for this configuration.").AppendLine();
            return;
        }

        string C(double v) => v.ToString("N2", CultureInfo.InvariantCulture);
        string Row(string name, CostEstimate c, bool bold = false)
        {
            var k = m.Per1000(c);
            var mean = bold ? $"**{C(c.Mean)}**" : C(c.Mean);
            return $"| {name} | {mean} | {C(c.Ci95Low)} to {C(c.Ci95High)} | {C(k.Mean)} | {C(k.Ci95Low)} to {C(k.Ci95High)} |";
        }

        var beats = m.ModelMinusApproveAll.Ci95Low > 0;
        md.AppendLine($"Each loan is approved when (1 − PD)·margin > PD·loss (docs/economics.md): {loan.Currency}, loss = funded amount × " +
            $"{loan.LossGivenDefault.ToString(CultureInfo.InvariantCulture)}, margin = the amortising interest at the loan's rate less funding at " +
            $"{loan.FundingRate.ToString("P1", CultureInfo.InvariantCulture)} a year and a {loan.ServicingFee.ToString("P1", CultureInfo.InvariantCulture)} servicing fee. " +
            $"Nested CV ({f.Nested.OuterFolds}-fold × {f.Nested.Repeats} outside, outer seed {f.Nested.OuterSeed}), money of what was decided, " +
            $"each applicant averaged over the repeats; per 1,000 lent = per loan × 1,000 / mean amount ({C(m.MeanExposure)}).").AppendLine();
        md.AppendLine($"| procedure | {loan.Currency} per loan | 95 % CI | per 1,000 lent | 95 % CI |");
        md.AppendLine("|---|---:|---|---:|---|");
        md.AppendLine(Row("**the model** (money procedure)", m.Model, bold: true));
        md.AppendLine(Row("the model, Platt-recalibrated", m.ModelRecalibrated));
        md.AppendLine(Row("approve everyone", m.ApproveAll));
        md.AppendLine(Row("reject everyone", m.RejectAll));
        md.AppendLine(Row("today's procedure (5:1 threshold)", m.TodaysRule));
        md.AppendLine(Row("model − approve everyone (paired)", m.ModelMinusApproveAll));
        md.AppendLine(Row("recalibrated − approve everyone (paired)", m.RecalibratedMinusApproveAll));
        md.AppendLine(Row("model − today's procedure (paired)", m.ModelMinusTodaysRule)).AppendLine();
        md.AppendLine((beats
                ? $"**The model beats approving everyone**: the paired interval of the difference lies above 0."
                : $"**The model does not beat approving everyone**: the paired interval of the difference ({C(m.ModelMinusApproveAll.Ci95Low)} to {C(m.ModelMinusApproveAll.Ci95High)} {loan.Currency} per loan) includes or lies below 0.") +
            $" Savings (Bahnsen et al. 2014, 1 − cost / cheaper of approve-all and reject-all): model {m.Savings.ToString("F4", CultureInfo.InvariantCulture)}, " +
            $"recalibrated {m.SavingsRecalibrated.ToString("F4", CultureInfo.InvariantCulture)}, 5:1 {m.SavingsTodaysRule.ToString("F4", CultureInfo.InvariantCulture)}. " +
            $"EMP (Verbraken et al. 2014, ROI {MoneyEstimate.EmpRoi.ToString(CultureInfo.InvariantCulture)}): {m.Emp.ToString("F5", CultureInfo.InvariantCulture)} per unit lent " +
            $"({m.EmpShareRejected.ToString("P1", CultureInfo.InvariantCulture)} rejected at the optimal cut-offs); at the data's own ROI ({m.DataRoi.ToString("F4", CultureInfo.InvariantCulture)}): " +
            $"{m.EmpAtDataRoi.ToString("F5", CultureInfo.InvariantCulture)}.").AppendLine();

        // Profit against the approval rate: approve the share with the lowest nested outer-fold PD (mean over repeats).
        var money = Money.Of(f.Spec, f.Data.Rows);
        var pd = m.ModelPd;
        var n = pd.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => pd[i]).ToArray();
        md.AppendLine("### Profit against the approval rate").AppendLine();
        md.AppendLine("Approving the share of applicants with the lowest nested outer-fold PD (each applicant's mean over the repeats), " +
            "money per applicant of what they then made or lost:").AppendLine();
        md.AppendLine($"| approved | {loan.Currency} per applicant | per 1,000 lent |");
        md.AppendLine("|---:|---:|---:|");
        foreach (var share in new[] { 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 1.0 })
        {
            var approved = (int)Math.Round(share * n);
            var total = order.Take(approved).Sum(i => money.Profit(i, f.IsBad[i], rejected: false));
            md.AppendLine($"| {share.ToString("P1", CultureInfo.InvariantCulture)} | {C(total / n)} | {C(total / n * 1000 / m.MeanExposure)} |");
        }

        var ruleApproves = Enumerable.Range(0, n).Where(i => !Decisions.Rejects(pd[i], money.Threshold(i, f.Outcome.Card.Threshold))).ToArray();
        md.AppendLine().AppendLine($"The per-loan rule on those PDs approves {((double)ruleApproves.Length / n).ToString("P1", CultureInfo.InvariantCulture)} " +
            $"and makes {C(ruleApproves.Sum(i => money.Profit(i, f.IsBad[i], rejected: false)) / n)} per applicant (on the mean PD, not the decisions of each repeat above).").AppendLine();

        // By rate band (Lending Club sets the rate by sub-grade, so a rate band is a band of sub-grades) and by term.
        md.AppendLine("### Where the model and approve-all differ").AppendLine();
        md.AppendLine($"| group | applicants | bad rate | approve-all, {loan.Currency} per loan | model rule, {loan.Currency} per loan | rejected by the model | what the rejected made |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        void Group(string name, int[] members)
        {
            if (members.Length == 0)
            {
                return;
            }

            var all = members.Sum(i => money.Profit(i, f.IsBad[i], rejected: false));
            var rejected = members.Where(i => Decisions.Rejects(pd[i], money.Threshold(i, f.Outcome.Card.Threshold))).ToArray();
            var kept = all - rejected.Sum(i => money.Profit(i, f.IsBad[i], rejected: false));
            md.AppendLine($"| {name} | {members.Length} | {((double)members.Count(i => f.IsBad[i]) / members.Length).ToString("P1", CultureInfo.InvariantCulture)} | " +
                $"{C(all / members.Length)} | {C(kept / members.Length)} | {rejected.Length} | {C(rejected.Sum(i => money.Profit(i, f.IsBad[i], rejected: false)))} |");
        }

        if (loan.Rate is { } rateName)
        {
            var at = f.Spec.IndexOf(f.Spec.Find(rateName)!);
            var rates = f.Data.Rows.Select(r => r.Numbers[at]).ToArray();
            var sorted = rates.Where(float.IsFinite).Order().ToArray();
            var cuts = Enumerable.Range(1, 4).Select(q => sorted[q * sorted.Length / 5]).ToArray();
            for (var q = 0; q < 5; q++)
            {
                var low = q == 0 ? float.NegativeInfinity : cuts[q - 1];
                var high = q == 4 ? float.PositiveInfinity : cuts[q];
                var label = $"{f.Spec.Find(rateName)!.Text} {(q == 0 ? "below" : low.ToString("0.##", CultureInfo.InvariantCulture) + " to")} {(q == 4 ? "and above" : high.ToString("0.##", CultureInfo.InvariantCulture))}";
                Group(label, [.. Enumerable.Range(0, n).Where(i => rates[i] >= low && rates[i] < high)]);
            }
        }

        var term = f.Spec.Find(loan.Term)!;
        var termAt = f.Spec.IndexOf(term);
        foreach (var value in f.Data.Rows.Select(r => term.IsCategory ? r.Categories[termAt] ?? "(missing)" : r.Numbers[termAt].ToString(CultureInfo.InvariantCulture)).Distinct().Order(StringComparer.Ordinal))
        {
            Group($"{term.Text} {value}", [.. Enumerable.Range(0, n).Where(i => (term.IsCategory ? f.Data.Rows[i].Categories[termAt] ?? "(missing)" : f.Data.Rows[i].Numbers[termAt].ToString(CultureInfo.InvariantCulture)) == value)]);
        }

        md.AppendLine().AppendLine("Rows: the model rule applied to each applicant's mean nested outer-fold PD; \"what the rejected made\" is the money " +
            "they made or lost in the data (positive: the model turned away profit).").AppendLine();
    }
}
