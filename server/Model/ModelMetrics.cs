using Prometheus;

namespace CreditRisk.Server.Model;

/// <summary>The served models as Prometheus metrics: which version of each model serves, and how loads and swaps went.</summary>
public static class ModelMetrics
{
    /// <summary>1 for the version of each model that serves; a version swapped out loses its series.</summary>
    public static readonly Gauge ModelInfo = Metrics.CreateGauge(
        "creditrisk_model_info", "The served models (always 1), labelled with the model's name, its version and learner.", "model", "version", "learner");

    /// <summary>Loads of a version by outcome: "served" (verified and swapped in), "unchanged" (already serving), "refused" (failed verification).</summary>
    public static readonly Counter Loads = Metrics.CreateCounter(
        "creditrisk_model_loads_total", "Model versions loaded, by model and outcome (served, unchanged, refused).", "model", "outcome");

    /// <summary>Load, verify and warm-up time of a version, before it is swapped in or refused.</summary>
    public static readonly Histogram LoadSeconds = Metrics.CreateHistogram(
        "creditrisk_model_load_seconds", "Time to load, verify and warm up a model version.", new HistogramConfiguration
        {
            LabelNames = ["model"],
            Buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        });

    /// <summary>Swaps done: a verified version replaced the serving one.</summary>
    public static readonly Counter Swaps = Metrics.CreateCounter(
        "creditrisk_model_swaps_total", "Serving versions replaced by a newly verified one, by model.", "model");

    /// <summary>Time from a swap until the version it replaced had no request left in flight and its session was disposed.</summary>
    public static readonly Histogram DrainSeconds = Metrics.CreateHistogram(
        "creditrisk_model_drain_seconds", "Time from a swap until the replaced version's last request finished and its session was disposed.", new HistogramConfiguration
        {
            LabelNames = ["model"],
            Buckets = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
        });
}
