using System.Diagnostics;
using System.Net;
using System.Text;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>F5: a stdout that nobody reads (a full pipe, a stuck log shipper) must not wedge scoring or shutdown.</summary>
public sealed class LoggingTests(ITestOutputHelper output)
{
    private const int Requests = 3000;

    [Fact]
    public async Task Unread_stdout_neither_blocks_scoring_nor_shutdown_and_drops_are_counted()
    {
        // Debug everywhere writes ~10 lines per request: the 64 KiB pipe is full after a few dozen requests and the
        // server's 10 000-event queue well before the last one.
        await using var server = await ServerProcess.StartAsync(
            BuiltServer.Dll,
            new Dictionary<string, string>
            {
                ["Serilog__MinimumLevel__Default"] = "Debug",
                ["Serilog__MinimumLevel__Override__Microsoft.AspNetCore"] = "Debug",
            },
            readStdout: false);
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var body = Hostile.ObjectText(Hostile.Members(BuiltServer.Example("german-credit")));

        for (var i = 0; i < Requests; i++)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri("/api/v1/score", UriKind.Relative), content);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"request {i} got {(int)response.StatusCode}");
        }

        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var dropped = metrics.Split('\n').Single(l => l.StartsWith("creditrisk_log_events_dropped_total ", StringComparison.Ordinal));
        output.WriteLine(dropped);
        Assert.True(double.Parse(dropped.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, "nothing was dropped: the pipe never filled, the test proved nothing");

        var stopping = Stopwatch.StartNew();
        server.Terminate();
        using var exitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await server.Process.WaitForExitAsync(exitTimeout.Token);
        output.WriteLine($"exit code {server.Process.ExitCode} after {stopping.ElapsedMilliseconds} ms");
        Assert.Equal(0, server.Process.ExitCode);
    }
}
