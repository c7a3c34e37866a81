using Prometheus;

namespace CreditRisk.Server.Model;

/// <summary>The served model as a Prometheus metric (set once at load, so a dashboard can tell which file runs).</summary>
public static class ModelMetrics
{
    public static readonly Gauge ModelInfo = Metrics.CreateGauge(
        "creditrisk_model_info", "The served model (always 1), labelled with its version and learner.", "version", "learner");
}
