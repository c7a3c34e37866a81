using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// SQLite on a full disk, on the real server process: a 4 MiB tmpfs holds the data folder, a filler file takes the
/// rest. Commits fail (503), readiness must say so although reads still work, and both must recover once space returns.
/// </summary>
public sealed class FullDiskTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SQLite_on_a_full_disk_answers_503_turns_unready_and_recovers_when_space_returns()
    {
        // Mounting needs root (CI runs the tests as root). Skipping would hide the finding, so this fails instead.
        Assert.True(Environment.UserName == "root", "this test mounts a 4 MiB tmpfs and must run as root");
        var folder = Directory.CreateTempSubdirectory("creditrisk-fulldisk-").FullName;
        await Run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", folder);
        try
        {
            var settings = BuiltServer.Serving("german-credit");
            settings["Records__DataFolder"] = folder;
            settings["Records__UnreadyAfterSeconds"] = "1";
            settings["Records__CommitTimeoutSeconds"] = "2";
            var body = new JsonObject(BuiltServer.Example("german-credit").Select(p => KeyValuePair.Create(p.Key, JsonNode.Parse(p.Value.GetRawText())))).ToJsonString();
            await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, settings);
            using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            async Task<HttpStatusCode> Score()
            {
                using var response = await client.PostAsync(new Uri("/api/v1/score", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {text}");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Assert.Contains("\"decisionId\"", text, StringComparison.Ordinal);
                }

                return response.StatusCode;
            }

            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await Score());
            }

            // Fill the disk.
            var filler = Path.Combine(folder, "filler");
            await using (var fill = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                var chunk = new byte[16 * 1024];
                try
                {
                    while (true)
                    {
                        fill.Write(chunk);
                    }
                }
                catch (IOException)
                {
                    // ENOSPC: the disk is full.
                }
            }

            // Commits fail once SQLite needs a page it cannot have: a WAL frame, a checkpoint growing decisions.db.
            var clock = Stopwatch.StartNew();
            int ok = 0, refused = 0;
            while (refused == 0 && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (await Score() == HttpStatusCode.OK)
                {
                    ok++;
                }
                else
                {
                    refused++;
                }
            }

            output.WriteLine($"disk full: {ok} commits still fitted, then a 503 after {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.True(refused > 0, "no request was refused on a full disk");

            // Readiness reads (SELECT 1 works on a full disk): it must still turn 503, and stay so while writes fail.
            Assert.True(await ReadinessBecomes(server, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(15)), "readiness stayed 200 while no commit could succeed");
            await Task.Delay(1500);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await Ready(server));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await Score());

            // Space returns: readiness's write probe succeeds without any traffic, then scoring works again.
            File.Delete(filler);
            Assert.True(await ReadinessBecomes(server, HttpStatusCode.OK, TimeSpan.FromSeconds(30)), "readiness did not recover once space returned");
            for (var i = 0; i < 600; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await Score());
            }

            // The WAL is bounded: checkpointed every 256 pages and truncated to 1 MiB, not left at its peak.
            var wal = new FileInfo(Path.Combine(folder, "decisions.db-wal"));
            output.WriteLine($"after 600 more commits: WAL {(wal.Exists ? wal.Length : 0)} bytes");
            Assert.True(!wal.Exists || wal.Length <= 2 << 20, $"the WAL holds {wal.Length} bytes");
            Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            await Run("umount", "-l", folder);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<HttpStatusCode?> Ready(ServerProcess server)
    {
        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var ready = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return ready.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<bool> ReadinessBecomes(ServerProcess server, HttpStatusCode status, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (await Ready(server) == status)
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    private static async Task Run(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)}: exit {process.ExitCode} {error}");
    }
}
