using System.Net;
using System.Net.Sockets;
using CreditRisk.Testing;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// Issue 26, finding 9: the per-IP rate limit keys on the client's address. The server takes a forwarded address only
/// from the proxies it is told (ForwardedHeaders:KnownProxies / KnownNetworks); the framework's switch
/// ASPNETCORE_FORWARDEDHEADERS_ENABLED=true alone trusted every peer (300 of 300 requests with made-up
/// X-Forwarded-For passed a 100/s limit). Each loopback address (127.0.0.x) is its own client here.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const int Permits = 5;
    private const string Proxy = "127.0.0.2";

    /// <summary>A limit of <see cref="Permits"/> per hour: no window ends during a test.</summary>
    private static Dictionary<string, string> Limited() => new(BuiltServer.Serving("german-credit"))
    {
        ["Limits__RateLimitPermits"] = Permits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Limits__RateLimitWindowSeconds"] = "3600",
    };

    [Fact]
    public async Task With_the_framework_switch_and_no_known_proxy_forged_addresses_share_the_socket_limit()
    {
        var settings = Limited();
        settings["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, settings);

        var statuses = await SendAsync(server.BaseAddress, from: "127.0.0.1", count: Permits + 3, forged: i => $"203.0.113.{i + 1}");

        Assert.Equal(Enumerable.Repeat(200, Permits).Concat(Enumerable.Repeat(429, 3)), statuses);
    }

    [Fact]
    public async Task Behind_nginx_each_client_gets_its_own_limit_and_a_forger_going_around_it_gets_none()
    {
        var settings = Limited();
        settings["ForwardedHeaders__KnownProxies__0"] = Proxy;
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, settings);
        await using var nginx = await ScaleOutTests.Nginx.StartAsync(server.Port, server.Port, proxyBind: Proxy);

        // The first client uses its whole limit through the proxy, with a made-up X-Forwarded-For of its own that
        // nginx appends its real address to: only that address counts.
        var first = await SendAsync(nginx.BaseAddress, from: "127.0.0.3", count: Permits + 2, forged: i => $"198.51.100.{i + 1}");
        Assert.Equal(Enumerable.Repeat(200, Permits).Concat(Enumerable.Repeat(429, 2)), first);

        // A second client through the same proxy (same socket address at the server) still has its own.
        var second = await SendAsync(nginx.BaseAddress, from: "127.0.0.4", count: Permits, forged: _ => null);
        Assert.All(second, status => Assert.Equal(200, status));

        // A client straight to the server, not through the proxy, that claims a new address each time: not believed,
        // so it has one limit, its socket's.
        var forger = await SendAsync(server.BaseAddress, from: "127.0.0.5", count: Permits + 2, forged: i => $"192.0.2.{i + 1}");
        Assert.Equal(Enumerable.Repeat(200, Permits).Concat(Enumerable.Repeat(429, 2)), forger);
    }

    /// <summary>GET /api/v1/model (rate limited) <paramref name="count"/> times from a given loopback address, one after another.</summary>
    private static async Task<List<int>> SendAsync(Uri target, string from, int count, Func<int, string?> forged)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = target };
        var statuses = new List<int>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/model");
            if (forged(i) is { } address)
            {
                request.Headers.Add("X-Forwarded-For", address);
            }

            using var response = await client.SendAsync(request);
            statuses.Add((int)response.StatusCode);
        }

        return statuses;
    }
}
