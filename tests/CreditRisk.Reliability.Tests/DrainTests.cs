using System.Diagnostics;
using System.Net;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// Item 8: on SIGTERM (a container stop) or SIGINT (Ctrl+C) readiness turns 503 first, the listener stays open for the
/// drain delay with Connection: close, then exit 0. A clean stop logs nothing at Error (issue 32.12): the drain is
/// logged once at Information, not as an unhealthy check on every readiness probe.
/// </summary>
public sealed class DrainTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_stop_signal_turns_readiness_503_and_closes_keep_alive_connections_during_the_drain_delay_then_exits_0_without_errors(string signal)
    {
        const int DrainSeconds = 3;
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, new Dictionary<string, string>
        {
            ["Limits__DrainSeconds"] = DrainSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var before = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.False(before.Headers.ConnectionClose ?? false);

        var stopping = Stopwatch.StartNew();
        server.Terminate(signal);
        HttpResponseMessage? ready = null;
        while (stopping.Elapsed < TimeSpan.FromSeconds(DrainSeconds))
        {
            ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (ready.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                break;
            }

            await Task.Delay(20);
        }

        var notReadyAfter = stopping.Elapsed;
        output.WriteLine($"readiness 503 after {notReadyAfter.TotalMilliseconds:0} ms");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready?.StatusCode);
        Assert.True(ready!.Headers.ConnectionClose, "a response during the drain lacks Connection: close");

        // Still serving during the drain: liveness and a score answer, each telling the client to reconnect.
        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True(live.Headers.ConnectionClose);
        await FloodTests.AssertScores(client);

        using var exitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.Process.WaitForExitAsync(exitTimeout.Token);
        output.WriteLine($"exit code {server.Process.ExitCode} after {stopping.ElapsedMilliseconds} ms");
        Assert.True(stopping.Elapsed >= TimeSpan.FromSeconds(DrainSeconds) - TimeSpan.FromMilliseconds(200), "the listener closed before the drain delay");
        Assert.Equal(0, server.Process.ExitCode);
        Assert.Contains("draining for", server.Output, StringComparison.Ordinal);
        var drainLine = server.Output.Split('\n').Single(l => l.Contains("draining for", StringComparison.Ordinal));
        Assert.DoesNotContain("\"@l\"", drainLine, StringComparison.Ordinal); // compact JSON leaves the level out for Information
        var errors = server.Output.Split('\n').Where(l => l.Contains("\"@l\":\"Error\"", StringComparison.Ordinal) || l.Contains("\"@l\":\"Fatal\"", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 0, "a clean stop logged errors:\n" + string.Join('\n', errors));
    }
}
