using Prometheus;

namespace CreditRisk.Server.Scoring;

/// <summary>Prometheus metrics of the scoring itself (HTTP counts and latencies come from prometheus-net's middleware).</summary>
public static class ScoringMetrics
{
    public static readonly Counter Scores = Metrics.CreateCounter(
        "creditrisk_scores_total", "Applicants scored, by decision.", "decision");

    public static readonly Histogram ScoringSeconds = Metrics.CreateHistogram(
        "creditrisk_scoring_duration_seconds", "Time to validate, score and record one request, by endpoint.",
        new HistogramConfiguration
        {
            LabelNames = ["endpoint"],
            Buckets = Histogram.ExponentialBuckets(0.00001, 2, 16),
        });
}
