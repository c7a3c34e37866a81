using System.ComponentModel.DataAnnotations;

namespace CreditRisk.Server.Hosting;

/// <summary>What one client may send. Section <c>Limits</c>.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body; a full batch of 1 000 applicants is about 550 KB. Larger → 413.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest total size of the request headers; larger → 431 from Kestrel.</summary>
    [Range(4 * 1024, 1024 * 1024)]
    public int MaxRequestHeadersTotalBytes { get; set; } = 16 * 1024;

    /// <summary>Time a request may take, body upload included; longer → 408.</summary>
    [Range(1, 600)]
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Requests per client IP address per window on /api; 0 turns rate limiting off (benchmarks and tests do). On by
    /// default: unlimited full-precision scores with reasons make extracting the model cheap.
    /// </summary>
    [Range(0, 1_000_000)]
    public int RateLimitPermits { get; set; } = 100;

    [Range(1, 3600)]
    public int RateLimitWindowSeconds { get; set; } = 1;

    /// <summary>
    /// Requests per client IP address per window on the aggregate reports (monitoring, the challenger), a limit of
    /// their own instead of <see cref="RateLimitPermits"/>. The reports change once per Monitoring:RefreshSeconds, so a
    /// dashboard needs about one a minute; at the scoring limit two pollers moved scoring p99 by 14 % (issue 26 §6).
    /// Off, like every limit, when <see cref="RateLimitPermits"/> is 0.
    /// </summary>
    [Range(1, 1_000_000)]
    public int AggregatesRateLimitPermits { get; set; } = 10;

    /// <summary>
    /// Open connections per listener at most; more are closed as soon as they are accepted. A 2-core box serves its
    /// throughput with 64 connections; 1 000 leaves room for proxies' pools and stays far below descriptor limits.
    /// </summary>
    [Range(1, 1_000_000)]
    public long MaxConcurrentConnections { get; set; } = 1000;

    /// <summary>An idle connection (including one that never sends a request) is closed after this; Kestrel's default is 130 s.</summary>
    [Range(1, 300)]
    public int KeepAliveTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// A loopback-only port with its own connection cap, so probes get through while a flood holds the public port's
    /// connections (the container's HEALTHCHECK uses it); 0 = none.
    /// </summary>
    [Range(0, 65535)]
    public int HealthPort { get; set; }

    /// <summary>Single scores being computed at once; more wait in the queue. A single score is ~20 µs of CPU.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentScores { get; set; } = 16;

    /// <summary>
    /// Batches being handled at once (parse, score, write): two per core of a 2-core box. Measured with 128 connections
    /// of 1 000-row batches: 2 and 4 gave similar latency, 4 about a fifth more batches per second.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentBatches { get; set; } = 4;

    /// <summary>Single scores waiting at most; beyond it → 503 with Retry-After: 1. Deep: each waits microseconds.</summary>
    [Range(0, 100_000)]
    public int ScoreQueueLimit { get; set; } = 256;

    /// <summary>Batches waiting at most; beyond it → 503 with Retry-After: 1. Short: each waits for whole batches.</summary>
    [Range(0, 100_000)]
    public int BatchQueueLimit { get; set; } = 16;

    /// <summary>
    /// Seconds between SIGTERM (readiness 503, Connection: close) and closing the listener, for load balancers to
    /// stop routing here; then requests in flight get up to <see cref="RequestTimeoutSeconds"/> more to finish.
    /// </summary>
    [Range(0, 300)]
    public int DrainSeconds { get; set; } = 5;
}
