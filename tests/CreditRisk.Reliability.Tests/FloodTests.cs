using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>Floods a single client can send on loopback, bounded in count and time: the server stays alive, ready and small.</summary>
public sealed class FloodTests(ITestOutputHelper output)
{
    /// <summary>/metrics of a fresh server after a few requests is ~30 KB; it may not grow past this.</summary>
    private const int MaxMetricsBytes = 512 * 1024;

    [Fact]
    public async Task Random_method_names_do_not_grow_metrics_F2()
    {
        const int Requests = 100_000;
        const int Connections = 8;
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll);
        await AssertScores(server.Client);
        var before = (await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Length;

        var sent = 0;
        var statuses = new int[600];
        var clock = Stopwatch.StartNew();
        async Task Flood(int seed)
        {
            var random = new Random(seed);
            using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            string[] paths = ["/", "/api/v1/score", "/metrics", "/health/live", "/x"];
            while (Interlocked.Increment(ref sent) <= Requests && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                var method = new HttpMethod("M" + random.Next().ToString("x", System.Globalization.CultureInfo.InvariantCulture));
                using var request = new HttpRequestMessage(method, paths[random.Next(paths.Length)]);
                using var response = await client.SendAsync(request);
                Interlocked.Increment(ref statuses[(int)response.StatusCode]);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Connections).Select(i => Task.Run(() => Flood(i))));
        var done = Math.Min(sent, Requests);
        var after = (await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Length;
        output.WriteLine($"{done} requests in {clock.Elapsed.TotalSeconds:0.0} s; statuses " +
            string.Join(", ", statuses.Select((n, s) => (n, s)).Where(x => x.n > 0).Select(x => $"{x.s}×{x.n}")));
        output.WriteLine($"/metrics {before} bytes before, {after} after");

        Assert.True(done >= 20_000, $"only {done} requests were sent: the flood proved little");
        Assert.Equal(0, statuses[500]);
        Assert.True(after < MaxMetricsBytes, $"/metrics grew to {after} bytes");
        // A few new series (method _OTHER × route × status, each a histogram) are fine; one per request is not.
        Assert.True(after - before < 128 * 1024, $"/metrics grew by {after - before} bytes");
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        await AssertScores(server.Client);
    }

    [Fact]
    public async Task Connection_flood_is_capped_idle_connections_close_and_probes_and_a_pooled_client_still_work_F1()
    {
        const int Cap = 200;
        const int Flood = 1500;
        var healthPort = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, new Dictionary<string, string>
        {
            ["Limits__MaxConcurrentConnections"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Limits__KeepAliveTimeoutSeconds"] = "3",
            ["Limits__HealthPort"] = healthPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        // A normal client with its connection open before the flood.
        using var normal = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        await AssertScores(normal);
        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{healthPort}"), Timeout = TimeSpan.FromSeconds(5) };

        var sockets = new List<Socket>();
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Flood && clock.Elapsed < TimeSpan.FromSeconds(20); i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, server.Port, connect.Token);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    // A full listen queue: the flood has done what it can.
                }
            }

            output.WriteLine($"{sockets.Count} idle connections opened in {clock.ElapsedMilliseconds} ms");
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
            await AssertScores(normal);

            // Connections over the cap are closed at once, the rest after the keep-alive timeout: none stays open.
            var open = sockets.Count;
            var closing = Stopwatch.StartNew();
            while (open > 0 && closing.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(500);
                open = sockets.Count(s => !ClosedByServer(s));
            }

            output.WriteLine($"{open} flood connections still open after {closing.ElapsedMilliseconds} ms");
            Assert.Equal(0, open);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        Assert.False(server.Process.HasExited, "the server died");
        using var fresh = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        await AssertScores(fresh);
        Assert.Contains("File descriptors: soft limit", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Overriding", server.Output, StringComparison.Ordinal);
    }

    /// <summary>The server closed (or reset) the connection: a read would return 0 bytes or fail.</summary>
    private static bool ClosedByServer(Socket socket)
    {
        if (!socket.Connected)
        {
            return true;
        }

        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    internal static async Task AssertScores(HttpClient client)
    {
        using var content = new StringContent(Hostile.ObjectText(Hostile.Members(BuiltServer.Example("german-credit"))), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/api/v1/score", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
