using System.Text;
using static CreditRisk.Trainer.Report.ReportWriter;

namespace CreditRisk.Trainer.Report;

/// <summary>
/// <c>model-card.md</c> beside the model (Mitchell et al. 2019, "Model Cards for Model Reporting"): intended use, data,
/// metrics with intervals, fairness, the monitoring baseline and caveats. Its first line is
/// <c># Model card: &lt;data set title&gt;</c> (the page renders it in its Model tab).
/// </summary>
public static class ModelCardPage
{
    public const string File = "model-card.md";

    public static string Markdown(ReportFacts f)
    {
        var spec = f.Spec;
        var card = f.Outcome.Card;
        var n = f.Nested;
        var md = new StringBuilder();
        md.AppendLine($"# Model card: {spec.Title}").AppendLine();

        md.AppendLine("## Model details").AppendLine();
        md.AppendLine(spec.Costs.Loan is { } loan
            ? $"- **What:** a probability of default (PD) for one loan application, and a decision on that loan's own money: reject when PD > margin / (margin + loss), " +
              $"the loan's break-even PD, from its amount, rate and term (docs/economics.md; amounts in {loan.Currency}, computed in the ONNX file). " +
              $"When they cannot be computed the file falls back to the constant threshold {F(card.Threshold, 4)}."
            : $"- **What:** a probability of default (PD) for one loan application, and a decision: reject when PD > {F(card.Threshold, 4)}.");
        md.AppendLine($"- **How:** the mean PD of {f.Outcome.Members.Count} models, one per learner family ({string.Join("; ", f.Outcome.Members.Select(m => m.Candidate.Name))}){(f.Recalibration is { } p ? $", recalibrated ({p.Formula})" : "")}, trained with ML.NET and exported as one ONNX file; " +
            "the procedure was pre-registered (docs/preregistration.md) and is judged by nested cross-validation.");
        md.AppendLine($"- **Inputs:** {spec.Inputs.Count()} attributes ({string.Join(", ", spec.Inputs.Select(x => x.Text))}).");
        md.AppendLine(spec.Protected.Any()
            ? $"- **Not inputs:** the protected attributes {string.Join(", ", spec.Protected.Select(x => $"{x.Text} (`{x.Name}`)"))}. They are never inputs, never reasons, and cannot change a PD (a test varies each over all its values for every applicant). The API accepts them, optionally, for monitoring."
            : "- **Not inputs:** none; the data set has no protected attribute (see Fairness for the proxy risk).");
        md.AppendLine(spec.Costs.Loan is { } l2
            ? $"- **Costs:** per loan, approving a defaulter loses amount × {l2.LossGivenDefault.ToString(System.Globalization.CultureInfo.InvariantCulture)}, rejecting a good payer forgoes its interest margin net of funding and fees; " +
              $"the constant {N(card.CostFalseNegative)}:{N(card.CostFalsePositive)} costs only set the fallback threshold."
            : $"- **Costs:** approving a defaulter costs {N(card.CostFalseNegative)}, rejecting a good payer {N(card.CostFalsePositive)}.");
        md.AppendLine($"- **Training:** {card.TrainingRows} rows, SHA-256 `{card.TrainingDataSha256}`, seed {card.Seed}; the model version identifies the model (a hash of the ONNX graph and this card), not the checkout it was trained from.").AppendLine();

        md.AppendLine("## Intended use").AppendLine();
        md.AppendLine($"- Decision support for consumer-credit screening on applicants like those of the training data ({spec.Title}): a first score and the principal reasons for a reject, reviewed by a credit analyst.");
        md.AppendLine("- A reference implementation of responsible scoring: cost-based threshold, honest (nested) cost estimate, calibration checks, fairness by group, adverse-action reasons.").AppendLine();
        md.AppendLine("**Out of scope:**").AppendLine();
        md.AppendLine("- Fully automated decisions without human review (GDPR art. 22; the EU AI Act treats credit scoring as high-risk).");
        md.AppendLine($"- Applicants, products, currencies or periods unlike the training data ({spec.Description ?? spec.Title}).");
        md.AppendLine("- Pricing, limit setting, collections or any use where a PD error costs differently from the cost matrix above.");
        md.AppendLine("- Any decision that uses a protected attribute, directly or by re-adding it as an input.").AppendLine();

        md.AppendLine("## Data").AppendLine();
        md.AppendLine($"- **Source:** {spec.Citation ?? "not given"}{(spec.Licence is { } l ? $" Licence: {l}." : "")}");
        md.AppendLine($"- **Size:** {f.Rows} applications, {f.Bad} bad ({P(f.BadRate)}).");
        md.AppendLine($"- **Period and limits:** {spec.Limitations ?? "not stated in the data set's spec (`limitations`)."}");
        md.AppendLine();

        md.AppendLine("## Metrics").AppendLine();
        md.AppendLine("| metric | value | 95 % CI | evaluated by |").AppendLine("|---|---:|---:|---|");
        if (n?.OutOfTime is { Windows: { } w } oot)
        {
            md.AppendLine($"| cost per applicant, later loans (the headline) | {F(oot.Procedure.Mean)} | {Ci(oot.Procedure)} | out-of-time: trained on {w.TrainRows} loans dated {w.TrainFrom} – {w.TrainTo}, tested on {w.TestRows} dated {w.TestFrom} – {w.TestTo} |");
            md.AppendLine($"| AUC, later loans | {F(oot.ProcedureAuc)} | | out-of-time |");
        }

        if (n is not null)
        {
            md.AppendLine($"| cost per applicant | {F(n.Procedure.Mean)} | {Ci(n.Procedure)} | nested CV {n.OuterFolds}×{n.Repeats}{(n.OutOfTime is null ? "" : ", in-time")} |");
            md.AppendLine($"| accept everyone | {F(n.AcceptAll.Mean)} | {Ci(n.AcceptAll)} | all rows |");
            md.AppendLine($"| reject everyone | {F(n.RejectAll.Mean)} | {Ci(n.RejectAll)} | all rows |");
            md.AppendLine($"| AUC | {F(n.ProcedureAuc)} | | nested CV |");
            if (n.Money is { } m)
            {
                var shipped = m.Model;
                var difference = m.ModelMinusApproveAll;
                string Money(double v) => v.ToString("N2", System.Globalization.CultureInfo.InvariantCulture);
                md.AppendLine($"| money per loan, {m.Currency} (the per-loan rule) | {Money(shipped.Mean)} | {Money(shipped.Ci95Low)} to {Money(shipped.Ci95High)} | nested CV {n.OuterFolds}×{n.Repeats}, money procedure |");
                md.AppendLine($"| money per loan, approve everyone | {Money(m.ApproveAll.Mean)} | {Money(m.ApproveAll.Ci95Low)} to {Money(m.ApproveAll.Ci95High)} | same folds |");
                md.AppendLine($"| money per loan, today's 5:1 rule | {Money(m.TodaysRule.Mean)} | {Money(m.TodaysRule.Ci95Low)} to {Money(m.TodaysRule.Ci95High)} | same folds |");
                md.AppendLine($"| model − approve everyone, per loan | {Money(difference.Mean)} | {Money(difference.Ci95Low)} to {Money(difference.Ci95High)} | paired |");
                md.AppendLine($"| model − today's 5:1 rule, per loan | {Money(m.ModelMinusTodaysRule.Mean)} | {Money(m.ModelMinusTodaysRule.Ci95Low)} to {Money(m.ModelMinusTodaysRule.Ci95High)} | paired |");
            }
            if (n.Compliance is { } c)
            {
                md.AppendLine($"| cost of compliance (compliant minus with protected inputs) | {F(c.Difference.Mean, 3, signed: true)} | {F(c.Difference.Ci95Low, 3, true)} to {F(c.Difference.Ci95High, 3, true)} | nested CV, paired |");
            }
        }
        else
        {
            md.AppendLine($"| cost per applicant (optimistic: used for selection) | {F(f.Chosen.Best.CostPerApplicant)} | {Ci(f.Chosen.Cost)} | selection CV |");
        }

        var cal = f.ShippedNestedCalibration ?? f.Calibration;
        md.AppendLine($"| Gini | {F(f.BusinessView.Gini)} | | selection CV |");
        md.AppendLine($"| KS | {F(f.Chosen.Ks)} | | selection CV |");
        md.AppendLine($"| Brier score | {F(cal.Brier, 4)} | | {(f.NestedCalibration is null ? "selection CV" : "nested CV")} |");
        md.AppendLine($"| calibration slope | {F(cal.Slope, 2)} | {F(cal.SlopeCi95Low, 2)}–{F(cal.SlopeCi95High, 2)} | {(f.NestedCalibration is null ? "selection CV" : "nested CV")} |");
        md.AppendLine($"| calibration-in-the-large (mean PD − bad rate) | {F(cal.CalibrationInTheLarge, 3, true)} | {F(cal.CitlCi95Low, 3, true)} to {F(cal.CitlCi95High, 3, true)} | {(f.NestedCalibration is null ? "selection CV" : "nested CV")} |");
        md.AppendLine($"| Spiegelhalter p | {F(cal.SpiegelhalterP, 3)} | | {(f.NestedCalibration is null ? "selection CV" : "nested CV")} |");
        md.AppendLine($"| approval rate | {P(f.BusinessView.ApprovalRate)} | | selection CV |");
        md.AppendLine($"| bad rate among the approved | {P(f.BusinessView.BadRateApproved)} | | selection CV |").AppendLine();

        md.AppendLine("## Fairness").AppendLine();
        if (f.Verdicts.Count == 0)
        {
            md.AppendLine("No protected attribute in the data, so no group can be compared." +
                string.Concat(spec.Inputs.Where(x => x.ProxyFor is not null).Select(x => $" {x.Text} (`{x.Name}`) is an input and a known proxy for {x.ProxyFor}: test approvals by group on monitored data before use."))).AppendLine();
        }
        else
        {
            md.AppendLine($"Adverse-impact ratio (approval rate against the most-approved group; four-fifths rule), out of fold; groups under {f.Options.MinGroupSize} applicants suppressed:").AppendLine();
            foreach (var v in f.Verdicts)
            {
                md.AppendLine(double.IsNaN(v.LowestRatio) ? $"- **{v.Attribute}:** {v.Verdict}." : $"- **{v.Attribute}:** {v.Verdict} (95 % CI {F(v.Ci95Low, 2)}–{F(v.Ci95High, 2)}).");
            }

            md.AppendLine();
            md.AppendLine("False-negative and false-positive rates and calibration by group are in the report (report.md, Fairness).").AppendLine();
        }

        md.AppendLine("## Monitoring baseline").AppendLine();
        md.AppendLine("What production should look like if applicants resemble the training data (out of fold); a drift from these is the signal to review:").AppendLine();
        md.AppendLine($"- approval rate {P(f.BusinessView.ApprovalRate)}; mean PD {P(f.Calibration.MeanPd)}; bad rate {P(f.BadRate)}; bad rate among the approved {P(f.BusinessView.BadRateApproved)};");
        md.AppendLine($"- cost per 1,000 applications {F(n is null ? f.BusinessView.CostPer1000 : n.Procedure.Mean * 1000, 0)};");
        md.AppendLine("- PD distribution by risk grade: " + string.Join(", ", f.BusinessView.Grades.Select(g => $"{g.Grade} ({g.Band}) {P(g.Share)}")) + ";");
        md.AppendLine("- the population-stability index of each input against the training data (the server's monitoring computes it); PSI above 0.25 means the data has moved.").AppendLine();

        md.AppendLine("## Caveats").AppendLine();
        md.AppendLine("- Small data: intervals are wide; a difference inside them is not evidence.");
        md.AppendLine("- Leaving protected attributes out does not make a model fair: correlated inputs can carry them (see the adverse-impact ratios). Monitor group outcomes in production.");
        md.AppendLine("- Reasons are \"what if\" changes of one attribute to its most favourable value; they are not causal, and combinations are not explained.");
        md.AppendLine(f.Recalibration is not null
            ? "- The ensemble's PDs failed the pre-registered calibration check, so the model recalibrates them (Platt, inside the ONNX graph); " +
              (cal.Miscalibrated ? "the recalibrated PDs still fail it: expected costs are approximate." : "the recalibrated PDs pass it in nested CV, within its intervals.")
            : cal.Miscalibrated
                ? "- The PDs fail the pre-registered calibration check (report.md, Calibration); expected costs computed from them are approximate."
                : "- The PDs pass the pre-registered calibration check, within the intervals of the sample; expected costs are as good as those intervals.");
        md.AppendLine("- The cost matrix is an assumption; with other costs the threshold and the model's value change.");
        return md.ToString();
    }
}
