namespace CreditRisk.Server.Hosting;

/// <summary>
/// Every log line the server writes itself, source-generated (no boxing or parsing per call on the hot path).
/// None of them takes an applicant attribute: scoring is logged as decision, PD bucket and latency only.
/// </summary>
internal static partial class Log
{
    // Per request at Debug: under load Information would write ~250 MB of stdout a minute; the aggregate is in /metrics.
    [LoggerMessage(1, LogLevel.Debug, "Scored {RequestId}: {Decision}, PD {PdBucket}, {ElapsedMs} ms")]
    public static partial void Scored(ILogger logger, string requestId, string decision, string pdBucket, double elapsedMs);

    [LoggerMessage(2, LogLevel.Debug, "Scored batch {RequestId}: {Count} applicants, {Rejects} rejected, {ElapsedMs} ms")]
    public static partial void ScoredBatch(ILogger logger, string requestId, int count, int rejects, double elapsedMs);

    [LoggerMessage(3, LogLevel.Information, "Serving model {ModelVersion} ({Learner}) from {ModelPath}, threshold {Threshold}")]
    public static partial void ServingModel(ILogger logger, string modelVersion, string learner, string modelPath, double threshold);

    [LoggerMessage(17, LogLevel.Information, "Challenger in shadow: {ModelVersion} ({Learner}) from {ModelPath}, threshold {Threshold}; responses are the served model's alone")]
    public static partial void ShadowChallenger(ILogger logger, string modelVersion, string learner, string modelPath, double threshold);

    [LoggerMessage(4, LogLevel.Information, "Scoring page at {PageUrls} and Swagger UI at {SwaggerUrls}")]
    public static partial void Listening(ILogger logger, string pageUrls, string swaggerUrls);

    [LoggerMessage(5, LogLevel.Error, "Unhandled exception on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(6, LogLevel.Information, "File descriptors: soft limit {Soft} (was {Before}, hard limit {Hard})")]
    public static partial void FileDescriptorLimit(ILogger logger, long soft, long before, long hard);

    [LoggerMessage(10, LogLevel.Information, "Warm-up: the model scores the {Rows} golden rows beside it that the API accepts (kinds data and edge) as the trainer recorded")]
    public static partial void GoldenWarmUp(ILogger logger, int rows);

    [LoggerMessage(9, LogLevel.Warning, "Model card sidecar: {Problem}")]
    public static partial void SidecarMismatch(ILogger logger, string problem);

    [LoggerMessage(8, LogLevel.Information, "Stopping: readiness is 503, draining for {DrainSeconds} s before the listener closes")]
    public static partial void Draining(ILogger logger, double drainSeconds);

    [LoggerMessage(7, LogLevel.Warning, "Limits:MaxConcurrentConnections {Configured} does not fit the descriptor limit {Soft}; capping it at {Capped}")]
    public static partial void ConnectionCapLowered(ILogger logger, long configured, long soft, long capped);

    [LoggerMessage(11, LogLevel.Information, "Decision records: {Provider} store {Where}, migrations applied")]
    public static partial void RecordsOpened(ILogger logger, string provider, string where);

    [LoggerMessage(12, LogLevel.Error, "Decision store ({Provider}) failing: scoring answers 503 until it works again")]
    public static partial void StoreFailing(ILogger logger, Exception exception, string provider);

    // The code names the rule broken (a SQLSTATE, or the exception's type), never the value: it is applicant data.
    [LoggerMessage(2603, LogLevel.Warning, "Decision store ({Provider}) refused one request's records ({Code}); the rest of its group commit was committed")]
    public static partial void RecordRefused(ILogger logger, string code, string provider);

    [LoggerMessage(13, LogLevel.Information, "Decision store ({Provider}) works again")]
    public static partial void StoreRecovered(ILogger logger, string provider);

    [LoggerMessage(14, LogLevel.Information, "Decision records flushed ({Provider}): every queued record committed or refused")]
    public static partial void RecordsFlushed(ILogger logger, string provider);

    [LoggerMessage(15, LogLevel.Information, "Retention: deleted {Count} decisions made before {Cutoff}")]
    public static partial void Purged(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(16, LogLevel.Warning, "Retention purge failed; retrying at the next interval")]
    public static partial void PurgeFailed(ILogger logger, Exception exception);

    [LoggerMessage(17, LogLevel.Warning, "Monitoring figures not recomputed (decision store failed); /metrics keeps the last ones")]
    public static partial void MonitoringFailed(ILogger logger, Exception exception);

    [LoggerMessage(2801, LogLevel.Warning, "Monitoring in money has no nested-CV interval to compare with: {Problem}")]
    public static partial void NoNestedMoney(ILogger logger, string problem);

    [LoggerMessage(2802, LogLevel.Warning, "Monitoring groups protected numbers by training bins, not the report's fairness groups: {Problem}")]
    public static partial void NoFairnessCuts(ILogger logger, string problem);
}
