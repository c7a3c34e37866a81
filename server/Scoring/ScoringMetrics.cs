using Prometheus;

namespace CreditRisk.Server.Scoring;

/// <summary>Prometheus metrics of the scoring itself (HTTP counts and latencies come from prometheus-net's middleware).</summary>
public static class ScoringMetrics
{
    public static readonly Counter Scores = Metrics.CreateCounter(
        "creditrisk_scores_total", "Applicants scored, by model (its name, as in /api/v1/models/{name}) and decision.", "model", "decision");

    public static readonly Histogram ScoringSeconds = Metrics.CreateHistogram(
        "creditrisk_scoring_duration_seconds", "Time to validate, score and record one request, by model and endpoint.",
        new HistogramConfiguration
        {
            LabelNames = ["model", "endpoint"],
            Buckets = Histogram.ExponentialBuckets(0.00001, 2, 16),
        });

    /// <summary>The stages of <see cref="DecisionPipeline"/>, the label values of <see cref="StageSeconds"/>.</summary>
    public const string ReadStage = "read";
    public const string ScoreStage = "score";
    public const string ReasonsStage = "reasons";
    public const string RecordStage = "record";

    public static readonly Histogram StageSeconds = Metrics.CreateHistogram(
        "creditrisk_pipeline_stage_duration_seconds",
        "Time in each stage of the decision pipeline (read: the transport's reading and validation; score; reasons; record: the commit), by model and transport.",
        new HistogramConfiguration
        {
            LabelNames = ["model", "transport", "stage"],
            Buckets = Histogram.ExponentialBuckets(0.00001, 2, 16),
        });
}
