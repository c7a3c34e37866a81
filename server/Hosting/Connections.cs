using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CreditRisk.Server.Hosting;

/// <summary>
/// How many connections one client can make the server hold, and for how long. Without a cap and with Kestrel's
/// 130 s keep-alive, ~20 000 idle connections killed or wedged 4 of 4 servers (out of memory, or descriptors
/// exhausted with the accept loop spinning).
/// </summary>
public static class Connections
{
    public static void Configure(KestrelServerOptions kestrel, LimitsOptions limits, ILogger logger)
    {
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
        kestrel.Limits.MaxConcurrentConnections = Cap(limits.MaxConcurrentConnections, FileDescriptors.RaiseSoftLimit(logger), logger);
    }

    /// <summary>The configured cap, lowered when the descriptors left after <see cref="FileDescriptors.Reserve"/> cannot hold it.</summary>
    public static long Cap(long configured, long? softLimit, ILogger logger)
    {
        if (softLimit is not { } soft || configured <= soft - FileDescriptors.Reserve)
        {
            return configured;
        }

        var capped = Math.Max(1, soft - FileDescriptors.Reserve);
        Log.ConnectionCapLowered(logger, configured, soft, capped);
        return capped;
    }

    /// <summary>
    /// Kestrel counts the connection cap per listener, so a second, loopback-only listener (Limits:HealthPort) answers
    /// probes (and the rest of the app) while a flood holds every connection of the public one. Chosen over reserving
    /// part of one listener's cap because a reserve can be flooded too; loopback-only so the flood cannot reach it
    /// from outside. It is added to the server URLs (not bound in code, which would make Kestrel ignore the URL
    /// settings), so each public URL keeps its own listener and cap. A value that is not a port is left for option
    /// validation to report at start.
    /// </summary>
    public static void AddHealthListener(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (!int.TryParse(configuration[$"{LimitsOptions.Section}:{nameof(LimitsOptions.HealthPort)}"], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is <= 0 or > 65535)
        {
            return;
        }

        AddListener(builder, $"http://127.0.0.1:{port}");
    }

    /// <summary>Adds listeners to the server URLs (each public URL keeps its own listener), for the health and gRPC ports.</summary>
    public static void AddListeners(WebApplicationBuilder builder, params string[] urls)
    {
        builder.WebHost.UseUrls([.. ServerUrls(builder.Configuration), .. urls]);
        // Now carried by the URLs; left set, ASP.NET Core would warn that the URLs override it.
        builder.WebHost.UseSetting("http_ports", "");
    }

    /// <summary>Adds a listener to the server URLs (each public URL keeps its own listener), for the health and gRPC ports.</summary>
    public static void AddListener(WebApplicationBuilder builder, string url) => AddListeners(builder, url);

    /// <summary>
    /// The hosts the public HTTP URLs bind (not the loopback health listener): "127.0.0.1" or "localhost" when they bind
    /// loopback only, "*" when any binds every interface (one wildcard covers the rest, and two listeners on one port
    /// would collide). For a listener that must be reachable exactly where the API is (the gRPC port).
    /// </summary>
    public static string[] PublicHosts(IConfiguration configuration)
    {
        var health = int.TryParse(configuration[$"{LimitsOptions.Section}:{nameof(LimitsOptions.HealthPort)}"], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? $"http://127.0.0.1:{port}"
            : null;
        var hosts = ServerUrls(configuration)
            .Where(url => !string.Equals(url.TrimEnd('/'), health, StringComparison.OrdinalIgnoreCase))
            .Select(BindingAddress.Parse)
            .Where(address => !address.IsNamedPipe && !address.IsUnixPipe)
            .Select(address => address.Host)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        string[] wildcards = ["*", "+", "0.0.0.0", "[::]"];
        return hosts.FirstOrDefault(h => wildcards.Contains(h)) is { } any ? [any]
            : hosts.Length > 0 ? hosts
            : ["localhost"];
    }

    /// <summary>The server URLs as configured (urls, else http_ports, else ASP.NET Core's default).</summary>
    private static string[] ServerUrls(IConfiguration configuration) =>
        configuration["urls"] is { Length: > 0 } configured
            ? configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : configuration["http_ports"] is { Length: > 0 } ports
                ? [.. ports.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}")]
                : ["http://localhost:5000"];
}
