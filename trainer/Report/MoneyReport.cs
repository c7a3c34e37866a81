using System.Globalization;
using System.Text;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Report;

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

        string Row(string name, CostEstimate c, bool bold = false)
        {
            var k = m.Per1000(c);
            var mean = bold ? $"**{C(c.Mean)}**" : C(c.Mean);
            return $"| {name} | {mean} | {C(c.Ci95Low)} to {C(c.Ci95High)} | {C(k.Mean)} | {C(k.Ci95Low)} to {C(k.Ci95High)} |";
        }

        // What ships is the money procedure itself: its figures carry each outer fold's own recalibration decision
        // (issue 31), so the always-recalibrated row is a variant for judgement, never the shipped one.
        var shippedDifference = m.ModelMinusApproveAll;
        var beats = shippedDifference.Ci95Low > 0;
        md.AppendLine($"Each loan is approved when (1 − PD)·margin > PD·loss (docs/economics.md): {loan.Currency}, loss = funded amount × " +
            $"{loan.LossGivenDefault.ToString(CultureInfo.InvariantCulture)}, margin = the amortising interest at the loan's rate less funding at " +
            $"{loan.FundingRate.ToString("P1", CultureInfo.InvariantCulture)} a year and a {loan.ServicingFee.ToString("P1", CultureInfo.InvariantCulture)} servicing fee. " +
            $"Nested CV ({f.Nested.OuterFolds}-fold × {f.Nested.Repeats} outside, outer seed {f.Nested.OuterSeed}), money of what was decided, " +
            $"each applicant averaged over the repeats; per 1,000 lent = per loan × 1,000 / mean amount ({C(m.MeanExposure)}).").AppendLine();
        md.AppendLine($"| procedure | {loan.Currency} per loan | 95 % CI | per 1,000 lent | 95 % CI |");
        md.AppendLine("|---|---:|---|---:|---|");
        md.AppendLine(Row("the model (money procedure), **shipped**", m.Model, bold: true));
        md.AppendLine(Row("the model, always Platt-recalibrated (a variant)", m.ModelRecalibrated, bold: false));
        md.AppendLine(Row("approve everyone", m.ApproveAll));
        md.AppendLine(Row("reject everyone", m.RejectAll));
        md.AppendLine(Row("today's procedure (5:1 threshold)", m.TodaysRule));
        md.AppendLine(Row("model − approve everyone (paired)", m.ModelMinusApproveAll));
        md.AppendLine(Row("recalibrated − approve everyone (paired)", m.RecalibratedMinusApproveAll));
        md.AppendLine(Row("model − today's procedure (paired)", m.ModelMinusTodaysRule)).AppendLine();
        md.AppendLine((beats
                ? $"**The model beats approving everyone**: the paired interval of the difference lies above 0."
                : $"**The model does not beat approving everyone**: the paired difference is {C(shippedDifference.Mean)} {loan.Currency} per loan " +
                  $"(95 % CI {C(shippedDifference.Ci95Low)} to {C(shippedDifference.Ci95High)}), an interval that includes or lies below 0.") +
            $" Savings (Bahnsen et al. 2014, 1 − cost / cheaper of approve-all and reject-all): model {F4(m.Savings)}, " +
            $"recalibrated {F4(m.SavingsRecalibrated)}, 5:1 {F4(m.SavingsTodaysRule)}. " +
            $"EMP (Verbraken et al. 2014, ROI {MoneyEstimate.EmpRoi.ToString(CultureInfo.InvariantCulture)}): {m.Emp.ToString("F5", CultureInfo.InvariantCulture)} per unit lent " +
            $"({m.EmpShareRejected.ToString("P1", CultureInfo.InvariantCulture)} rejected at the optimal cut-offs); at the data's own ROI ({F4(m.DataRoi)}): " +
            $"{m.EmpAtDataRoi.ToString("F5", CultureInfo.InvariantCulture)}.").AppendLine();

        // Everything below is on the nested outer-fold PDs (each applicant's mean over the repeats): honest, never the refit's.
        var money = Money.Of(f.Spec, f.Data.Rows);
        var pd = m.ModelPd;
        var n = pd.Count;
        var isBad = f.IsBad;
        double Made(int i) => money.Profit(i, isBad[i], rejected: false);
        float Threshold(int i) => money.Threshold(i, f.Outcome.Card.Threshold);
        bool Rejected(int i) => Decisions.Rejects(pd[i], Threshold(i));
        var all = Enumerable.Range(0, n).ToArray();
        var rejected = all.Where(Rejected).ToArray();
        var approveAllTotal = all.Sum(Made);
        var ruleTotal = approveAllTotal - rejected.Sum(Made);

        Why(md, f, loan.Currency, pd, money, rejected, Threshold);

        // Profit against the approval rate: approve the share with the lowest PD, or with the highest expected profit.
        var byPd = all.OrderBy(i => pd[i]).ThenBy(i => i).ToArray();
        var byProfit = all.OrderByDescending(i => money.Amounts[i].Valid ? (1 - pd[i]) * money.Amounts[i].Margin - pd[i] * money.Amounts[i].Loss : double.NegativeInfinity).ThenBy(i => i).ToArray();
        double[] Cumulative(int[] order)
        {
            var c = new double[n + 1];
            for (var k = 0; k < n; k++)
            {
                c[k + 1] = c[k] + Made(order[k]);
            }

            return c;
        }

        var curvePd = Cumulative(byPd);
        var curveProfit = Cumulative(byProfit);
        var best = Enumerable.Range(0, n + 1).MaxBy(k => curvePd[k]);
        var bestProfit = Enumerable.Range(0, n + 1).MaxBy(k => curveProfit[k]);
        var approvedShare = (double)(n - rejected.Length) / n;
        var chart = Path.Combine(f.Outcome.OutputDirectory, Charts.ProfitFile);
        Charts.ProfitCurve(chart, [.. curvePd.Select(v => v / n)], [.. curveProfit.Select(v => v / n)], loan.Currency,
            (approvedShare, ruleTotal / n), m.ApproveAll.Mean, m.Model.Mean, m.TodaysRule.Mean);

        md.AppendLine("### Profit against the approval rate").AppendLine();
        md.AppendLine("Approving the share of applicants with the lowest nested outer-fold PD (each applicant's mean over the repeats), or with the " +
            "highest expected profit (1 − PD)·margin − PD·loss on that PD, money per applicant of what they then made or lost:").AppendLine();
        md.AppendLine($"![Profit against the approval rate]({Charts.ProfitFile})").AppendLine();
        md.AppendLine($"| approved | lowest PD first, {loan.Currency} per applicant | per 1,000 lent | highest expected profit first, {loan.Currency} per applicant |");
        md.AppendLine("|---:|---:|---:|---:|");
        foreach (var share in new[] { 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995, 1.0 })
        {
            var k = (int)Math.Round(share * n);
            md.AppendLine($"| {share.ToString("P1", CultureInfo.InvariantCulture)} | {C(curvePd[k] / n)} | {C(curvePd[k] / n * 1000 / m.MeanExposure)} | {C(curveProfit[k] / n)} |");
        }

        md.AppendLine().AppendLine($"The per-loan rule on those PDs approves {approvedShare.ToString("P1", CultureInfo.InvariantCulture)} " +
            $"and makes {C(ruleTotal / n)} per applicant ({C(ruleTotal / n - approveAllTotal / n)} against approving everyone; on the mean PD, not the " +
            $"decisions of each repeat, which give the {C(m.Model.Mean)} above). In hindsight, the best cut-off on this curve " +
            $"approves {((double)best / n).ToString("P1", CultureInfo.InvariantCulture)} for {C(curvePd[best] / n)} per applicant " +
            $"({C((curvePd[best] - approveAllTotal) / n)} against approving everyone), and ranked by expected profit at {P((double)bestProfit / n)} for {C(curveProfit[bestProfit] / n)} " +
            $"({C((curveProfit[bestProfit] - approveAllTotal) / n)}): cut-offs chosen on the outcomes they are judged on, so optimistic, and not available to any procedure.").AppendLine();

        Grades(md, f, loan.Currency, all, isBad, Made, Rejected, Threshold);
        Differences(md, f, loan, pd, money, rejected, Made, Threshold);
    }

    private static string C(double v) => v.ToString("N2", CultureInfo.InvariantCulture);

    private static string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    private static string P(double v) => v.ToString("P1", CultureInfo.InvariantCulture);

    /// <summary>Why the model does or does not beat approving everyone, in figures: the break-even PDs against the PDs and the bad rates.</summary>
    private static void Why(StringBuilder md, ReportFacts f, string currency, IReadOnlyList<float> pd, Money money, int[] rejected, Func<int, float> threshold)
    {
        var n = pd.Count;
        var valid = Enumerable.Range(0, n).Where(i => money.Amounts[i].Valid).ToArray();
        if (valid.Length == 0)
        {
            return;
        }

        var thresholds = valid.Select(i => (double)threshold(i)).Order().ToArray();
        double Quantile(double[] sorted, double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];
        var meanMargin = valid.Average(i => money.Amounts[i].Margin);
        var meanLoss = valid.Average(i => money.Amounts[i].Loss);
        var byPd = Enumerable.Range(0, n).OrderByDescending(i => pd[i]).ThenBy(i => i).ToArray();
        var top = byPd.Take(Math.Max(1, n / 10)).ToArray();
        var isBad = f.IsBad;
        var topBad = (double)top.Count(i => isBad[i]) / top.Length;
        var rejectedBad = rejected.Count(i => isBad[i]);
        md.AppendLine("**Why, in figures.** A default loses on average " + $"{C(meanLoss)} {currency} and a repaid loan earns {C(meanMargin)} " +
            $"(a ratio of {(meanLoss / meanMargin).ToString("F1", CultureInfo.InvariantCulture)}:1), so a loan is worth approving up to its break-even PD = margin / (margin + loss): " +
            $"median {P(Quantile(thresholds, 0.5))}, 5th percentile {P(Quantile(thresholds, 0.05))}, 95th {P(Quantile(thresholds, 0.95))}. " +
            $"The bad rate is {P(f.BadRate)}. Lending Club prices risk into the rate, so riskier loans carry higher break-even PDs: " +
            $"the riskiest tenth by nested PD (mean PD {P(top.Average(i => pd[i]))}) defaulted at {P(topBad)} against a mean break-even of {P(top.Average(i => threshold(i)))}, " +
            $"and made {C(top.Sum(i => money.Profit(i, isBad[i], rejected: false)) / top.Length)} {currency} per loan when all approved. " +
            $"Only {rejected.Length} applicants ({P((double)rejected.Length / n)}) have a PD above their break-even; " +
            (rejected.Length == 0 ? "" :
                $"of them {rejectedBad} defaulted ({P((double)rejectedBad / rejected.Length)}, against their mean PD {P(rejected.Average(i => pd[i]))} and mean break-even {P(rejected.Average(i => threshold(i)))}): " +
                $"rejecting them avoided {C(rejected.Where(i => isBad[i]).Sum(i => money.Amounts[i].Loss))} {currency} of losses and forwent " +
                $"{C(rejected.Where(i => !isBad[i]).Sum(i => money.Amounts[i].Margin))} {currency} of margin. ") +
            "To beat approving everyone a model must find loans whose default rate exceeds their break-even" +
            (rejected.Length == 0
                ? ": here none has a PD that high."
                : (double)rejectedBad / rejected.Length < rejected.Average(i => threshold(i))
                    ? $"; the loans this model turns away defaulted less often than their break-even, so their forgone margin outweighs the losses avoided, and they are {P((double)rejected.Length / n)} of all: " +
                      $"the rejections move {C(rejected.Sum(i => money.Profit(i, isBad[i], rejected: false)) / n)} {currency} per applicant against the {C(Enumerable.Range(0, n).Sum(i => money.Profit(i, isBad[i], rejected: false)) / n)} approving everyone makes."
                    : $"; the loans this model turns away do ({P((double)rejectedBad / rejected.Length)} against {P(rejected.Average(i => threshold(i)))}), and they are {P((double)rejected.Length / n)} of all.")).AppendLine();
    }

    /// <summary>Money by grade: the first category attribute whose name contains "grade", one containing "subgrade" first (reporting only; Lending Club's sub-grade).</summary>
    private static void Grades(StringBuilder md, ReportFacts f, string currency, int[] all, bool[] isBad, Func<int, double> made, Func<int, bool> rejected, Func<int, float> threshold)
    {
        var grade = f.Spec.Features.Where(x => x.IsCategory).OrderBy(x => x.Name.Contains("subgrade", StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .FirstOrDefault(x => x.Name.Contains("grade", StringComparison.OrdinalIgnoreCase));
        if (grade is null)
        {
            return;
        }

        var at = f.Spec.IndexOf(grade);
        string Of(int i) => f.Data.Rows[i].Categories[at] ?? "(missing)";
        md.AppendLine($"### Profit by {grade.Text.ToLowerInvariant()}").AppendLine();
        md.AppendLine($"{grade.Text} is Lending Club's own risk grade, which sets the rate. Rule and money as above (nested outer-fold PDs, mean over the repeats):").AppendLine();
        md.AppendLine($"| {grade.Text} | loans | bad rate | mean break-even PD | mean PD | approve-all, {currency} per loan | model rule, {currency} per loan | rejected | what the rejected made |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in all.GroupBy(Of).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = g.ToArray();
            var total = members.Sum(made);
            var turned = members.Where(rejected).ToArray();
            var lost = turned.Sum(made);
            md.AppendLine($"| {g.Key} | {members.Length} | {P((double)members.Count(i => isBad[i]) / members.Length)} | {P(members.Average(i => threshold(i)))} | " +
                $"{P(members.Average(i => PdOf(f, i)))} | {C(total / members.Length)} | {C((total - lost) / members.Length)} | {turned.Length} | {C(lost)} |");
        }

        md.AppendLine();
    }

    private static double PdOf(ReportFacts f, int i) =>
        f.Nested!.Money!.ModelPd[i];

    /// <summary>Where the model's decisions differ from approve-all: by rate band and term, and the loans themselves.</summary>
    private static void Differences(StringBuilder md, ReportFacts f, LoanEconomicsSpec loan, IReadOnlyList<float> pd, Money money, int[] rejected, Func<int, double> made, Func<int, float> threshold)
    {
        var n = pd.Count;
        var isBad = f.IsBad;
        var defaulted = rejected.Where(i => isBad[i]).ToArray();
        var repaid = rejected.Where(i => !isBad[i]).ToArray();
        md.AppendLine("### Where the model and approve-all differ").AppendLine();
        md.AppendLine($"The only loans where the two differ are those the model rejects: {rejected.Length} of {n}. " +
            $"{defaulted.Length} of them defaulted (approving them lost {C(defaulted.Sum(i => money.Amounts[i].Loss))} {loan.Currency}, which the model avoids) and " +
            $"{repaid.Length} repaid (approving them earned {C(repaid.Sum(i => money.Amounts[i].Margin))} {loan.Currency}, which the model forgoes): " +
            $"net, the model's rejections {(rejected.Sum(made) > 0 ? "cost" : "saved")} {C(Math.Abs(rejected.Sum(made)))} {loan.Currency}, " +
            $"{C(Math.Abs(rejected.Sum(made)) / n)} per applicant.").AppendLine();
        md.AppendLine($"| group | applicants | bad rate | approve-all, {loan.Currency} per loan | model rule, {loan.Currency} per loan | rejected by the model | what the rejected made |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        void Group(string name, int[] members)
        {
            if (members.Length == 0)
            {
                return;
            }

            var all = members.Sum(made);
            var turned = members.Where(i => Decisions.Rejects(pd[i], threshold(i))).ToArray();
            var kept = all - turned.Sum(made);
            md.AppendLine($"| {name} | {members.Length} | {P((double)members.Count(i => isBad[i]) / members.Length)} | " +
                $"{C(all / members.Length)} | {C(kept / members.Length)} | {turned.Length} | {C(turned.Sum(made))} |");
        }

        string Value(FeatureSpec feature, int i)
        {
            var at = f.Spec.IndexOf(feature);
            return feature.IsCategory ? f.Data.Rows[i].Categories[at] ?? "(missing)" : f.Data.Rows[i].Numbers[at].ToString("0.##", CultureInfo.InvariantCulture);
        }

        var rateFeature = loan.Rate is { } rateName ? f.Spec.Find(rateName) : null;
        if (rateFeature is not null)
        {
            var at = f.Spec.IndexOf(rateFeature);
            var rates = f.Data.Rows.Select(r => r.Numbers[at]).ToArray();
            var sorted = rates.Where(float.IsFinite).Order().ToArray();
            var cuts = Enumerable.Range(1, 4).Select(q => sorted[q * sorted.Length / 5]).ToArray();
            for (var q = 0; q < 5; q++)
            {
                var low = q == 0 ? float.NegativeInfinity : cuts[q - 1];
                var high = q == 4 ? float.PositiveInfinity : cuts[q];
                var label = $"{rateFeature.Text} {(q == 0 ? "below" : low.ToString("0.##", CultureInfo.InvariantCulture) + (q == 4 ? "" : " to"))} {(q == 4 ? "and above" : high.ToString("0.##", CultureInfo.InvariantCulture))}";
                Group(label, [.. Enumerable.Range(0, n).Where(i => rates[i] >= low && rates[i] < high)]);
            }
        }

        var term = f.Spec.Find(loan.Term)!;
        foreach (var value in Enumerable.Range(0, n).Select(i => Value(term, i)).Distinct().Order(StringComparer.Ordinal))
        {
            Group($"{term.Text} {value}", [.. Enumerable.Range(0, n).Where(i => Value(term, i) == value)]);
        }

        md.AppendLine().AppendLine("Rows: the model rule applied to each applicant's mean nested outer-fold PD; \"what the rejected made\" is the money " +
            "they made or lost in the data (positive: the model turned away profit).").AppendLine();

        if (rejected.Length == 0)
        {
            return;
        }

        const int Listed = 60;
        var exposure = f.Spec.Find(loan.Exposure)!;
        var grade = f.Spec.Features.Where(x => x.IsCategory).OrderBy(x => x.Name.Contains("subgrade", StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .FirstOrDefault(x => x.Name.Contains("grade", StringComparison.OrdinalIgnoreCase));
        md.AppendLine($"The loans the model rejects{(rejected.Length > Listed ? $" (the {Listed} with the highest PD of {rejected.Length})" : "")}, highest PD first " +
            "(row: the data row, 1-based, header excluded):").AppendLine();
        md.AppendLine($"| row | {exposure.Text} |{(rateFeature is null ? "" : $" {rateFeature.Text} |")} {term.Text} |{(grade is null ? "" : $" {grade.Text} |")} PD | break-even PD | outcome | made, {loan.Currency} |");
        md.AppendLine($"|---:|---:|{(rateFeature is null ? "" : "---:|")}---|{(grade is null ? "" : "---|")}---:|---:|---|---:|");
        foreach (var i in rejected.OrderByDescending(i => pd[i]).ThenBy(i => i).Take(Listed))
        {
            md.AppendLine($"| {i + 1} | {Value(exposure, i)} |{(rateFeature is null ? "" : $" {Value(rateFeature, i)} |")} {Value(term, i)} |{(grade is null ? "" : $" {Value(grade, i)} |")} " +
                $"{P(pd[i])} | {P(threshold(i))} | {(isBad[i] ? "defaulted" : "repaid")} | {C(made(i))} |");
        }

        md.AppendLine();
    }
}
