using System.Threading.RateLimiting;
using CreditRisk.Server.Hosting;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Api;

/// <summary>
/// What every API route has in common: the key (<see cref="ApiKeys"/>), the per-client rate limit, the request timeout,
/// scoring capacity and problem details. A feature whose exceptions mean something to a client (a model output that is
/// not a probability, a decision store that is down) registers its own handler before <see cref="AddApiPolicies"/>,
/// whose <see cref="Problems.ExceptionHandler"/> answers everything else.
/// </summary>
public static class ApiPolicies
{
    /// <summary>Rate-limiting policy on the /api routes (health and metrics stay unlimited for probes and scrapers).</summary>
    public const string RateLimit = "api";

    /// <summary>Rate-limiting policy on the aggregate reports: a tighter per-client limit of its own.</summary>
    public const string AggregatesRateLimit = "aggregates";

    public static IServiceCollection AddApiPolicies(this IServiceCollection services)
    {
        services.AddApiKeys();
        services.AddSingleton<ScoringCapacity>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
        services.AddExceptionHandler<Problems.ExceptionHandler>();

        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<LimitsOptions>>((timeouts, limits) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(limits.Value.RequestTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status408RequestTimeout,
            });

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LimitsOptions>>((rate, limits) =>
        {
            var permits = limits.Value.RateLimitPermits;
            var window = TimeSpan.FromSeconds(limits.Value.RateLimitWindowSeconds);
            rate.AddPolicy(RateLimit, context => PerClient(context, permits, permits, window));
            rate.AddPolicy(AggregatesRateLimit, context => PerClient(context, permits, limits.Value.AggregatesRateLimitPermits, window));
            rate.OnRejected = async (rejected, cancellationToken) =>
            {
                var http = rejected.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(window.TotalSeconds)).ToString();
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"At most {Permits(http, limits.Value)} requests per {window.TotalSeconds:0} s per client here; retry later.",
                    },
                });
            };
        });
        return services;
    }

    /// <summary>
    /// A fixed window per client address (a policy's partitions are its own, so the two limits count apart); no limit
    /// at all when the general one is off.
    /// </summary>
    private static RateLimitPartition<string> PerClient(HttpContext context, int general, int permits, TimeSpan window) => general == 0
        ? RateLimitPartition.GetNoLimiter("off")
        : RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 });

    private static int Permits(HttpContext http, LimitsOptions limits) =>
        http.GetEndpoint()?.Metadata.GetMetadata<ApiPolicy>()?.Access == ApiAccess.Aggregates
            ? limits.AggregatesRateLimitPermits
            : limits.RateLimitPermits;

    /// <summary>After routing: these need to know the endpoint.</summary>
    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        app.UseRequestTimeouts();
        app.UseRateLimiter();
        app.Use((context, next) => context.RequestServices.GetRequiredService<ScoringCapacity>().InvokeAsync(context, next));
        return app;
    }
}
