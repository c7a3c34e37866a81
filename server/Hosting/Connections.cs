using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Hosting;

/// <summary>
/// How many connections one client can make the server hold, and for how long. Without a cap and with Kestrel's
/// 130 s keep-alive, ~20 000 idle connections killed or wedged 4 of 4 servers (out of memory, or descriptors
/// exhausted with the accept loop spinning).
/// </summary>
public static class Connections
{
    public static void Configure(KestrelServerOptions kestrel, LimitsOptions limits, IConfiguration configuration, ILogger logger)
    {
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
        kestrel.Limits.MaxConcurrentConnections = Cap(limits.MaxConcurrentConnections, FileDescriptors.RaiseSoftLimit(logger), logger);
        if (limits.HealthPort != 0)
        {
            ListenWithHealthPort(kestrel, configuration, limits.HealthPort);
        }
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
    /// Kestrel counts the connection cap per listener, so a second, loopback-only listener answers probes (and the
    /// rest of the app) while a flood holds every connection of the public one. Chosen over reserving part of one
    /// listener's cap because a reserve can be flooded too; loopback-only so the flood cannot reach it from outside.
    /// Listening in code makes Kestrel ignore the URL settings, so the public addresses are bound here as well.
    /// </summary>
    private static void ListenWithHealthPort(KestrelServerOptions kestrel, IConfiguration configuration, int healthPort)
    {
        var urls = configuration["urls"] is { Length: > 0 } configured
            ? configured
            : configuration["http_ports"] is { Length: > 0 } ports
                ? string.Join(';', ports.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}"))
                : "http://localhost:5000";
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            if (!string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase))
            {
                throw new OptionsValidationException(nameof(LimitsOptions.HealthPort), typeof(LimitsOptions),
                    [$"Limits:HealthPort works with http:// URLs only, not '{url}'"]);
            }

            if (address.Host is "localhost")
            {
                kestrel.ListenLocalhost(address.Port);
            }
            else if (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip))
            {
                kestrel.Listen(ip, address.Port);
            }
            else
            {
                kestrel.ListenAnyIP(address.Port);
            }
        }

        kestrel.Listen(IPAddress.Loopback, healthPort);
    }
}
