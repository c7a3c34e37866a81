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

    /// <summary>Requests per client IP address per window on /api; 0 turns rate limiting off (the default, for benchmarks).</summary>
    [Range(0, 1_000_000)]
    public int RateLimitPermits { get; set; }

    [Range(1, 3600)]
    public int RateLimitWindowSeconds { get; set; } = 1;
}
