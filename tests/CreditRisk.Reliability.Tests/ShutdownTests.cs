using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>SIGTERM while clients are scoring full batches: nothing in flight is lost, nothing new gets in, exit 0.</summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    private const int Clients = 4;
    private const int Rows = 1000;

    [Fact]
    public async Task Sigterm_under_load_finishes_in_flight_requests_refuses_new_ones_and_exits_0()
    {
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll);
        var row = Hostile.ObjectText(Hostile.Members(BuiltServer.Example("german-credit")));
        var body = Encoding.UTF8.GetBytes("{\"applicants\":[" + string.Join(",", Enumerable.Repeat(row, Rows)) + "]}");

        var sigtermAt = long.MaxValue;
        var inFlight = 0;
        var completedBefore = 0;
        var lost = new ConcurrentQueue<string>();
        var afterOutcomes = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();

        async Task Client()
        {
            using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref inFlight);
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new("application/json");
                    using var response = await client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), content);
                    var text = await response.Content.ReadAsStringAsync();
                    var complete = response.StatusCode == HttpStatusCode.OK
                        && JsonDocument.Parse(text).RootElement.GetProperty("results").GetArrayLength() == Rows;
                    if (started < Volatile.Read(ref sigtermAt))
                    {
                        if (complete)
                        {
                            Interlocked.Increment(ref completedBefore);
                        }
                        else
                        {
                            lost.Enqueue($"in-flight request got {(int)response.StatusCode}: {text[..Math.Min(200, text.Length)]}");
                        }
                    }
                    else
                    {
                        afterOutcomes.AddOrUpdate(complete ? "200" : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, v) => v + 1);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or JsonException)
                {
                    if (started < Volatile.Read(ref sigtermAt))
                    {
                        lost.Enqueue($"in-flight request cut off: {e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
                    }
                    else
                    {
                        afterOutcomes.AddOrUpdate("connection error", 1, (_, v) => v + 1);
                        await Task.Delay(50);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }

                if (server.Process.HasExited)
                {
                    return;
                }
            }
        }

        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(Client)).ToArray();

        // Let the load settle, then stop the server while requests are on the wire.
        var warm = Stopwatch.StartNew();
        while (Volatile.Read(ref completedBefore) < 2 * Clients && warm.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }

        while (Volatile.Read(ref inFlight) < Clients)
        {
            await Task.Yield();
        }

        var inFlightAtSigterm = Volatile.Read(ref inFlight);
        Volatile.Write(ref sigtermAt, Stopwatch.GetTimestamp());
        server.Terminate();
        var stopping = Stopwatch.StartNew();

        // New connections: refused once the listener is closed (while the process may still be draining).
        var refusedAfter = TimeSpan.Zero;
        var refusal = "";
        var newConnectionStatuses = new List<int>();
        while (stopping.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var probe = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            try
            {
                using var response = await probe.GetAsync(new Uri("/health/live", UriKind.Relative));
                newConnectionStatuses.Add((int)response.StatusCode);
            }
            catch (HttpRequestException e)
            {
                // Refused (listener closed) or reset (accepted into the closing listener's backlog): a connection
                // error either way, never an HTTP answer.
                refusedAfter = stopping.Elapsed;
                refusal = (e.InnerException as SocketException)?.SocketErrorCode.ToString() ?? e.HttpRequestError.ToString();
                break;
            }

            await Task.Delay(10);
        }

        using var exitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(35));
        await server.Process.WaitForExitAsync(exitTimeout.Token);
        var exitedAfter = stopping.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        output.WriteLine($"{completedBefore} batches of {Rows} completed before/through SIGTERM; {inFlightAtSigterm} in flight at SIGTERM");
        output.WriteLine($"new connection refused ({refusal}) after {refusedAfter.TotalMilliseconds:0} ms (statuses before that: {string.Join(",", newConnectionStatuses)})");
        output.WriteLine($"exit code {server.Process.ExitCode} after {exitedAfter.TotalMilliseconds:0} ms");
        output.WriteLine("requests started after SIGTERM: " + string.Join(", ", afterOutcomes.Select(o => $"{o.Key}×{o.Value}")));

        Assert.True(inFlightAtSigterm > 0, "no request was in flight at SIGTERM: the test proved nothing");
        Assert.True(lost.IsEmpty, "requests in flight at SIGTERM were lost:\n" + string.Join("\n", lost));
        Assert.True(refusedAfter > TimeSpan.Zero, "new connections were not refused after SIGTERM: " + string.Join(",", newConnectionStatuses));
        Assert.All(newConnectionStatuses, s => Assert.True(s < 500, $"a new connection during shutdown got {s}"));
        Assert.DoesNotContain(afterOutcomes.Keys, k => k.StartsWith('5'));
        Assert.Equal(0, server.Process.ExitCode);
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
    }
}
