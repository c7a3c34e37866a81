using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Hosting;

/// <summary>
/// Kestrel's limits, draining and headers: how the server refuses connections and requests it should not accept. The
/// API's own policies (key, rate limit, timeouts, scoring capacity, problem details) are Api/ApiPolicies.
/// </summary>
public static class Hardening
{
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

        services.AddSingleton<Draining>();
        services.AddHostedService(provider => provider.GetRequiredService<Draining>());
        // The host's stop budget covers the drain delay and then the longest request in flight.
        services.AddOptions<HostOptions>().Configure<IOptions<LimitsOptions>>((host, limits) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(limits.Value.DrainSeconds + limits.Value.RequestTimeoutSeconds + 5));
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
}
