using Prometheus;

namespace CreditRisk.Server.Records;

/// <summary>Prometheus metrics of the decision store's writer.</summary>
public static class RecordsMetrics
{
    public static readonly Counter Committed = Metrics.CreateCounter(
        "creditrisk_records_committed_total", "Decision records committed.");

    public static readonly Counter Refused = Metrics.CreateCounter(
        "creditrisk_records_refused_total", "Requests answered without a decision because their records were not committed, by cause (refused: the store refused their data, 400).", "cause");

    public static readonly Histogram CommitSeconds = Metrics.CreateHistogram(
        "creditrisk_records_commit_duration_seconds", "Time of one group commit.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });

    public static readonly Histogram RecordsPerCommit = Metrics.CreateHistogram(
        "creditrisk_records_per_commit", "Records one group commit gathered from concurrent requests.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 10) });

    public static readonly Counter Reviews = Metrics.CreateCounter(
        "creditrisk_reviews_total", "Reviewers' decisions recorded, by kind (review: decides a referred application or confirms the decision in force; override: changes an approve or reject in force).", "kind");
}
