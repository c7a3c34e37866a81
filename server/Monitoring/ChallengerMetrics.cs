using Prometheus;

namespace CreditRisk.Server.Monitoring;

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

    public static readonly Gauge DisagreementRate = Metrics.CreateGauge(
        "creditrisk_challenger_disagreement_rate", "Share of the window's decisions where champion and challenger decide differently.");

    public static readonly Gauge RealisedCost = Metrics.CreateGauge(
        "creditrisk_challenger_realised_cost", "Realised cost per matured applicant in the window, by model (champion, challenger).", "model");

    public static readonly Gauge Matured = Metrics.CreateGauge(
        "creditrisk_challenger_matured_decisions", "Decisions in the window with an outcome (the costs' sample size).");
}
