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

    public static void Publish(MonitoringReport report)
    {
        var v = report.ModelVersion;
        WindowDecisions.WithLabels(v).Set(report.Window.Decisions);
        NestedCvCost.WithLabels(v).Set(report.Outcomes.NestedCv.CostPerApplicant);
        NestedCvHigh.WithLabels(v).Set(report.Outcomes.NestedCv.Ci95High);
        Matured.WithLabels(v).Set(report.Outcomes.Matured);
        foreach (var f in report.Features)
        {
            FeaturePsi.WithLabels(v, f.Name).Set(f.Psi);
        }

        Set(PdPsi, report.Pd?.Psi, v);
        Set(ApprovalRate, report.ApprovalRate, v);
        Set(TrainingApprovalRate, report.TrainingApprovalRate, v);
        Set(MeanPd, report.MeanPd, v);
        Set(TrainingMeanPd, report.TrainingMeanPd, v);
        Set(RealisedCost, report.Outcomes.RealisedCostPerApplicant, v);
        Set(RealisedAuc, report.Outcomes.Auc, v);
        for (var b = 0; b < report.Outcomes.Bands.Count; b++)
        {
            var band = report.Outcomes.Bands[b];
            var label = b.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Set(RealisedBadRate, band.RealisedBadRate, v, label);
            Set(PredictedBadRate, band.MeanPd, v, label);
        }

        var money = report.Money;
        if (money is null)
        {
            MoneyMatured.RemoveLabelled(v);
        }
        else
        {
            MoneyMatured.WithLabels(v).Set(money.Matured);
        }

        Set(RealisedProfit, money?.RealisedProfitPerLoan, v);
        Set(RealisedProfitHigh, money?.Ci95High, v);
        Set(ExpectedProfit, money?.ExpectedProfitPerLoan, v);
        Set(NestedCvProfit, money?.NestedCv?.Mean, v);
        Set(NestedCvProfitLow, money?.NestedCv?.Ci95Low, v);

        foreach (var attribute in report.Groups)
        {
            foreach (var g in attribute.Groups)
            {
                // A suppressed group (below Monitoring:MinGroupSize) is not exported either.
                Set(GroupApprovalRate, g.ApprovalRate, v, attribute.Attribute, g.Group);
                Set(AdverseImpactRatio, g.AdverseImpactRatio, v, attribute.Attribute, g.Group);
            }
        }
    }

    private static void Set(Gauge gauge, double? value, params string[] labels)
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
