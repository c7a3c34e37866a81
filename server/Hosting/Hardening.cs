using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Hosting;

/// <summary>Limits, problem responses and headers: how the server refuses what it should not accept.</summary>
public static class Hardening
{
    /// <summary>Rate-limiting policy on the /api routes (health and metrics stay unlimited for probes and scrapers).</summary>
    public const string ApiRateLimit = "api";

    public static WebApplicationBuilder AddHardening(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<LimitsOptions>()
            .BindConfiguration(LimitsOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        Connections.AddHealthListener(builder);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitsOptions>, ILoggerFactory>((kestrel, limits, logs) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.Value.MaxRequestHeadersTotalBytes;
            Connections.Configure(kestrel, limits.Value, logs.CreateLogger(typeof(Connections).FullName!));
        });

        // The client's address for the per-IP rate limit: the socket's, or what a known proxy forwarded (ProxyOptions).
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().PostConfigure<IOptions<ProxyOptions>>((forwarded, proxies) => proxies.Value.ApplyTo(forwarded));

        services.AddApiKeys();
        services.AddSingleton<ScoringCapacity>();
        services.AddSingleton<Draining>();
        services.AddHostedService(provider => provider.GetRequiredService<Draining>());
        // The host's stop budget covers the drain delay and then the longest request in flight.
        services.AddOptions<HostOptions>().Configure<IOptions<LimitsOptions>>((host, limits) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(limits.Value.DrainSeconds + limits.Value.RequestTimeoutSeconds + 5));
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
            rate.AddPolicy(ApiRateLimit, context => permits == 0
                ? RateLimitPartition.GetNoLimiter("off")
                : RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }));
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
                        Detail = $"At most {permits} requests per {window.TotalSeconds:0} s per client; retry later.",
                    },
                });
            };
        });
        return builder;
    }

    public static WebApplication UseHardening(this WebApplication app)
    {
        // First, so everything after sees the client's address. With ASPNETCORE_FORWARDEDHEADERS_ENABLED=true the
        // framework has added this middleware already (with the same options, so the same proxies).
        if (!app.Configuration.GetValue<bool>("FORWARDEDHEADERS_ENABLED"))
        {
            app.UseForwardedHeaders();
        }

        app.UseExceptionHandler();
        app.UseKnownHttpMethods();
        Draining.UseConnectionCloseWhileDraining(app);
        // Empty 4xx/5xx responses from the framework (404, 405, 408, …) get a problem body too.
        app.UseStatusCodePages();
        app.UseSecurityHeaders();
        return app;
    }

    /// <summary>After routing: these need to know the endpoint.</summary>
    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        app.UseRequestTimeouts();
        app.UseRateLimiter();
        app.Use((context, next) => context.RequestServices.GetRequiredService<ScoringCapacity>().InvokeAsync(context, next));
        return app;
    }
}
