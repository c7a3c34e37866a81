using System.Threading.RateLimiting;
using CreditRisk.Server.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Prometheus;

namespace CreditRisk.Server.Api;

/// <summary>
/// Bounds the scoring work in flight. Without it 128 connections sending 1 000-row batches all shared the 2 cores:
/// batch p99 8.7 s against a 10 s timeout, and a single score waited 4.8 s. Now at most a few requests score at once
/// and a few more wait; beyond that the answer is 503 with Retry-After at once. Single scores and batches have
/// separate lanes, so cheap single scores never queue behind batches.
/// </summary>
public sealed class ScoringCapacity : IDisposable
{
    private static readonly Counter Shed = Metrics.CreateCounter(
        "creditrisk_scoring_shed_total", "Scoring requests refused with 503 because the scoring capacity and its queue were full.", "lane");

    private readonly ConcurrencyLimiter _singles;
    private readonly ConcurrencyLimiter _batches;
    private readonly long _maxBodyBytes;

    public ScoringCapacity(IOptions<LimitsOptions> options)
    {
        var limits = options.Value;
        _singles = Lane(limits.MaxConcurrentScores, limits.ScoreQueueLimit);
        _batches = Lane(limits.MaxConcurrentBatches, limits.BatchQueueLimit);
        _maxBodyBytes = limits.MaxRequestBodyBytes;
    }

    public void Dispose()
    {
        _singles.Dispose();
        _batches.Dispose();
    }

    /// <summary>After routing (it needs the endpoint) and the rate limiter.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        // Every endpoint that scores carries the Scoring policy (ApiGroups). gRPC takes its permit in GrpcPolicy instead,
        // once gRPC has read the whole message, so a slow upload holds none there either.
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<ApiPolicy>()?.Access != ApiAccess.Scoring
            || endpoint.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>() is not null)
        {
            await next(context);
            return;
        }

        // A text/csv batch takes a batch permit itself (AcquireBatchAsync) and then spools its (large) body to disk
        // within the spool budget (Scoring/CsvSpoolBudget), not to memory.
        if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            && type.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        // A slow upload must not hold a permit: the body is buffered first (the handler then reads it from memory).
        // An oversized or broken body goes straight to the handler, which refuses it without scoring.
        if (!await BufferBodyAsync(context.Request))
        {
            await next(context);
            return;
        }

        var batch = endpoint.Metadata.GetMetadata<BatchLane>() is not null;
        using var lease = await (batch ? _batches : _singles).AcquireAsync(1, context.RequestAborted);
        if (!lease.IsAcquired)
        {
            Shed.WithLabels(batch ? "batch" : "single").Inc();
            await RefuseAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary>A permit of the batch lane for a request that buffered its body itself; not acquired = shed (answer 503).</summary>
    public async ValueTask<RateLimitLease> AcquireBatchAsync(CancellationToken cancellationToken)
    {
        var lease = await _batches.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            Shed.WithLabels("batch").Inc();
        }

        return lease;
    }

    private static ConcurrencyLimiter Lane(int permits, int queue) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = permits,
        QueueLimit = queue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private async Task<bool> BufferBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > _maxBodyBytes)
        {
            return false;
        }

        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var result = await JsonBody.ReadOrCancelAsync(reader, request.HttpContext.RequestAborted);
                // Nothing consumed: the handler's first read returns all of it.
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (result.IsCompleted)
                {
                    return true;
                }

                if (result.Buffer.Length > _maxBodyBytes)
                {
                    return false;
                }
            }
        }
        catch (BadHttpRequestException)
        {
            return false;
        }
    }

    private static async Task RefuseAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Server busy",
                Detail = Problems.BusyDetail,
            },
        });
    }
}

/// <summary>
/// Endpoint metadata: a scoring endpoint scored in <see cref="ScoringCapacity"/>'s batch lane, not the single scores'
/// (/api/v1/score/batch and the Open Inference Protocol's infer, REST and gRPC, which score whole batches).
/// </summary>
public sealed class BatchLane
{
    public static readonly BatchLane Instance = new();

    private BatchLane()
    {
    }
}
