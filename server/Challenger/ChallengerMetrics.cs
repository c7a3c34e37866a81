using Prometheus;

namespace CreditRisk.Server.Challenger;

/// <summary>Prometheus metrics of the challenger in shadow.</summary>
public static class ChallengerMetrics
{
    public static readonly Gauge Info = Metrics.CreateGauge(
        "creditrisk_challenger_info", "The challenger scored in shadow (value 1), by version and learner.", "version", "learner");

    public static readonly Counter Scored = Metrics.CreateCounter(
        "creditrisk_challenger_scored_total", "Decisions the challenger scored and recorded beside the champion's.");

    public static readonly Counter Dropped = Metrics.CreateCounter(
        "creditrisk_challenger_dropped_total",
        "Decisions the challenger did not score, by reason: queue_full (it was behind), model (it threw), store (its rows were not written).", "reason");

    // The comparison's gauges carry the champion's version (as creditrisk_model_info does) and the challenger's.
    public static readonly Gauge DisagreementRate = Metrics.CreateGauge(
        "creditrisk_challenger_disagreement_rate", "Share of the window's decisions where champion and challenger decide differently.", "version", "challenger");

    public static readonly Gauge RealisedCost = Metrics.CreateGauge(
        "creditrisk_challenger_realised_cost", "Realised cost per matured applicant in the window, by model (champion, challenger).", "version", "challenger", "model");

    public static readonly Gauge CostDifference = Metrics.CreateGauge(
        "creditrisk_challenger_cost_difference",
        "Paired realised-cost difference per matured applicant, challenger minus champion: mean and 95 % interval (absent below two).", "version", "challenger", "stat");

    public static readonly Gauge Matured = Metrics.CreateGauge(
        "creditrisk_challenger_matured_decisions", "Decisions in the window with an outcome (the costs' sample size).", "version", "challenger");

    public static readonly Gauge Window = Metrics.CreateGauge(
        "creditrisk_challenger_window_decisions", "Decisions in the comparison's window that both models scored.", "version", "challenger");

    public static void Set(string version, string challenger, ChallengerComparison c)
    {
        DisagreementRate.WithLabels(version, challenger).Set(c.DisagreementRate);
        RealisedCost.WithLabels(version, challenger, "champion").Set(c.ChampionCostPerApplicant);
        RealisedCost.WithLabels(version, challenger, "challenger").Set(c.ChallengerCostPerApplicant);
        CostDifference.WithLabels(version, challenger, "mean").Set(c.MeanCostDifference);
        if (c.Ci95Low is { } low && c.Ci95High is { } high)
        {
            CostDifference.WithLabels(version, challenger, "ci95_low").Set(low);
            CostDifference.WithLabels(version, challenger, "ci95_high").Set(high);
        }

        Matured.WithLabels(version, challenger).Set(c.Matured);
        Window.WithLabels(version, challenger).Set(c.Decisions);
    }

    /// <summary>Removes the comparison's series of a champion version that no longer serves (or of a retired shadow).</summary>
    public static void Remove(string version, string challenger)
    {
        DisagreementRate.RemoveLabelled(version, challenger);
        RealisedCost.RemoveLabelled(version, challenger, "champion");
        RealisedCost.RemoveLabelled(version, challenger, "challenger");
        foreach (var stat in new[] { "mean", "ci95_low", "ci95_high" })
        {
            CostDifference.RemoveLabelled(version, challenger, stat);
        }

        Matured.RemoveLabelled(version, challenger);
        Window.RemoveLabelled(version, challenger);
    }
}
