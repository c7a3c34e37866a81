using CreditRisk.Contracts;
using Prometheus;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// The monitoring gauges (docs/monitoring.md, read by deploy/prometheus/alerts.yml), set from each computed report.
/// Every gauge carries <c>version</c>, as <c>creditrisk_model_info</c> does. A figure the window cannot give yet (no
/// decisions, no outcomes) is not exported rather than exported as 0, so no alert reads a made-up value.
/// </summary>
public static class MonitoringMetrics
{
    private static readonly Gauge WindowDecisions = Metrics.CreateGauge("creditrisk_monitoring_window_decisions", "Decisions in the monitoring window (last N, or last D days).", "version");
    private static readonly Gauge FeaturePsi = Metrics.CreateGauge("creditrisk_psi", "PSI of each model input, window against the training baseline.", "version", "feature");
    private static readonly Gauge PdPsi = Metrics.CreateGauge("creditrisk_pd_psi", "PSI of the PD, window against the training baseline.", "version");
    private static readonly Gauge ApprovalRate = Metrics.CreateGauge("creditrisk_approval_rate", "Share approved in the window.", "version");
    private static readonly Gauge TrainingApprovalRate = Metrics.CreateGauge("creditrisk_training_approval_rate", "Share approved at the threshold on the training (out-of-fold) PDs.", "version");
    private static readonly Gauge MeanPd = Metrics.CreateGauge("creditrisk_mean_pd", "Mean PD in the window.", "version");
    private static readonly Gauge TrainingMeanPd = Metrics.CreateGauge("creditrisk_training_mean_pd", "Mean out-of-fold PD in training.", "version");
    private static readonly Gauge Matured = Metrics.CreateGauge("creditrisk_matured_outcomes", "Decisions in the window whose outcome has arrived.", "version");
    private static readonly Gauge RealisedCost = Metrics.CreateGauge("creditrisk_realised_cost_per_applicant", "Realised cost per matured applicant.", "version");
    private static readonly Gauge NestedCvCost = Metrics.CreateGauge("creditrisk_nested_cv_cost_per_applicant", "The model card's nested-CV cost per applicant.", "version");
    private static readonly Gauge NestedCvHigh = Metrics.CreateGauge("creditrisk_nested_cv_cost_ci95_high", "Upper end of the nested-CV 95 % interval of the cost per applicant.", "version");
    private static readonly Gauge RealisedAuc = Metrics.CreateGauge("creditrisk_realised_auc", "AUC on matured outcomes.", "version");
    private static readonly Gauge RealisedBadRate = Metrics.CreateGauge("creditrisk_realised_bad_rate", "Realised bad rate per PD band (band = index, 0 = lowest PDs).", "version", "band");
    private static readonly Gauge PredictedBadRate = Metrics.CreateGauge("creditrisk_predicted_bad_rate", "Mean PD of the matured decisions per PD band.", "version", "band");
    private static readonly Gauge GroupApprovalRate = Metrics.CreateGauge("creditrisk_approval_rate_by_group", "Approval rate per group of a protected attribute.", "version", "attribute", "group");
    private static readonly Gauge AdverseImpactRatio = Metrics.CreateGauge("creditrisk_adverse_impact_ratio", "A group's approval rate over the most-approved group's.", "version", "attribute", "group");

    // Money (issue 28), for a loan-basis model only: in the model's currency (the report's money.currency).
    private static readonly Gauge MoneyMatured = Metrics.CreateGauge("creditrisk_realised_profit_loans", "Matured decisions with their amounts recorded (loan-level economics).", "version");
    private static readonly Gauge RealisedProfit = Metrics.CreateGauge("creditrisk_realised_profit_per_loan", "Realised profit per matured loan: a repaid approval earns its margin, a defaulted one loses its loss, a reject 0.", "version");
    private static readonly Gauge RealisedProfitHigh = Metrics.CreateGauge("creditrisk_realised_profit_per_loan_ci95_high", "Upper end of the 95 % interval of the realised profit per loan.", "version");
    private static readonly Gauge ExpectedProfit = Metrics.CreateGauge("creditrisk_expected_profit_per_loan", "What the model expected of the same matured decisions, per loan (an approval's expected profit, a reject 0).", "version");
    private static readonly Gauge NestedCvProfit = Metrics.CreateGauge("creditrisk_nested_cv_profit_per_loan", "The nested-CV estimate of the money per loan (nested-cv.json beside the model).", "version");
    private static readonly Gauge NestedCvProfitLow = Metrics.CreateGauge("creditrisk_nested_cv_profit_per_loan_ci95_low", "Lower end of the nested-CV 95 % interval of the money per loan.", "version");

    /// <summary>Sets every gauge of the report's version; a figure the report cannot give is removed.</summary>
    public static void Publish(MonitoringReport report)
    {
        foreach (var (gauge, labels, value) in Series(report))
        {
            if (value is { } x)
            {
                gauge.WithLabels(labels).Set(x);
            }
            else
            {
                gauge.RemoveLabelled(labels);
            }
        }
    }

    /// <summary>Removes every series a report published: its version no longer serves (a swap, a promotion, an unload),
    /// so no alert keeps reading the figures of a version that decides nothing any more.</summary>
    public static void Remove(MonitoringReport report)
    {
        foreach (var (gauge, labels, _) in Series(report))
        {
            gauge.RemoveLabelled(labels);
        }
    }

    /// <summary>Each series of a report: the one list both <see cref="Publish"/> and <see cref="Remove"/> read.</summary>
    private static IEnumerable<(Gauge Gauge, string[] Labels, double? Value)> Series(MonitoringReport report)
    {
        var v = report.ModelVersion;
        yield return (WindowDecisions, [v], report.Window.Decisions);
        yield return (NestedCvCost, [v], report.Outcomes.NestedCv.CostPerApplicant);
        yield return (NestedCvHigh, [v], report.Outcomes.NestedCv.Ci95High);
        yield return (Matured, [v], report.Outcomes.Matured);
        foreach (var f in report.Features)
        {
            yield return (FeaturePsi, [v, f.Name], f.Psi);
        }

        yield return (PdPsi, [v], report.Pd?.Psi);
        yield return (ApprovalRate, [v], report.ApprovalRate);
        yield return (TrainingApprovalRate, [v], report.TrainingApprovalRate);
        yield return (MeanPd, [v], report.MeanPd);
        yield return (TrainingMeanPd, [v], report.TrainingMeanPd);
        yield return (RealisedCost, [v], report.Outcomes.RealisedCostPerApplicant);
        yield return (RealisedAuc, [v], report.Outcomes.Auc);
        for (var b = 0; b < report.Outcomes.Bands.Count; b++)
        {
            var band = report.Outcomes.Bands[b];
            var label = b.ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return (RealisedBadRate, [v, label], band.RealisedBadRate);
            yield return (PredictedBadRate, [v, label], band.MeanPd);
        }

        var money = report.Money;
        yield return (MoneyMatured, [v], money?.Matured);
        yield return (RealisedProfit, [v], money?.RealisedProfitPerLoan);
        yield return (RealisedProfitHigh, [v], money?.Ci95High);
        yield return (ExpectedProfit, [v], money?.ExpectedProfitPerLoan);
        yield return (NestedCvProfit, [v], money?.NestedCv?.Mean);
        yield return (NestedCvProfitLow, [v], money?.NestedCv?.Ci95Low);

        foreach (var attribute in report.Groups)
        {
            foreach (var g in attribute.Groups)
            {
                // A suppressed group (below Monitoring:MinGroupSize) is not exported either.
                yield return (GroupApprovalRate, [v, attribute.Attribute, g.Group], g.ApprovalRate);
                yield return (AdverseImpactRatio, [v, attribute.Attribute, g.Group], g.AdverseImpactRatio);
            }
        }
    }
}
