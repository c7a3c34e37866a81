using System.Net;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// The durability contract on the built server as a process: no decision is answered 200 that is not in the store,
/// whatever happens to the process (kill -9, SIGTERM) or to the store (PostgreSQL stopped mid-load).
/// </summary>
public sealed class RecordsDurabilityTests(ITestOutputHelper output)
{
    private static Dictionary<string, string> Settings(IReadOnlyDictionary<string, string> store)
    {
        var settings = BuiltServer.Serving("german-credit");
        settings["ApiKey__Key"] = RecordLoad.Key;
        settings["Limits__DrainSeconds"] = "0";
        foreach (var (key, value) in store)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task After_kill_9_under_load_every_decision_answered_200_is_in_the_store(string provider)
    {
        var folder = Directory.CreateTempSubdirectory("creditrisk-crash-").FullName;
        await using var postgres = provider == "postgresql" ? await PostgresServer.StartAsync() : null;
        try
        {
            var store = postgres is null
                ? new Dictionary<string, string> { ["Records__DataFolder"] = folder }
                : new Dictionary<string, string> { ["Records__ConnectionString"] = await postgres.CreateDatabaseAsync("crash") };

            var server = await ServerProcess.StartAsync(BuiltServer.Dll, Settings(store));
            RecordLoad load;
            await using (server)
            {
                // kill -9 the moment the 300th 200 arrives: other requests are in flight, records queued, a commit
                // under way. A server that answered before committing loses records from exactly this window.
                var killed = 0;
                load = new RecordLoad(server.BaseAddress, clients: 8, applicationPrefix: "crash", afterOk: count =>
                {
                    if (count >= 300 && Interlocked.Exchange(ref killed, 1) == 0)
                    {
                        server.Process.Kill(entireProcessTree: true);
                    }
                });
                await load.WaitForRecordsAsync(300, TimeSpan.FromSeconds(30));
                await server.KillAsync();
                await load.DisposeAsync();
            }

            output.WriteLine($"{provider}: {load.Recorded.Count} answered 200 before kill -9, {load.Errors} connection errors");
            Assert.True(load.Recorded.Count >= 50, $"only {load.Recorded.Count} decisions were answered before the kill");
            Assert.Equal(0, load.OkWithoutId);

            await using var restarted = await ServerProcess.StartAsync(BuiltServer.Dll, Settings(store));
            var stored = await RecordLoad.StoredIds(restarted.BaseAddress);
            var missing = load.Recorded.Keys.Except(stored).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} of {load.Recorded.Count} decisions answered 200 are not in the store, e.g. {missing.FirstOrDefault()}");
            Assert.Equal(stored.Count, stored.Distinct().Count());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Sigterm_under_load_flushes_every_record_before_exit()
    {
        var folder = Directory.CreateTempSubdirectory("creditrisk-sigterm-").FullName;
        try
        {
            var store = new Dictionary<string, string> { ["Records__DataFolder"] = folder };
            RecordLoad load;
            int exitCode;
            await using (var server = await ServerProcess.StartAsync(BuiltServer.Dll, Settings(store)))
            {
                load = new RecordLoad(server.BaseAddress, clients: 8, applicationPrefix: "sigterm");
                await load.WaitForRecordsAsync(200, TimeSpan.FromSeconds(20));
                server.Terminate();
                await server.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                exitCode = server.Process.ExitCode;
                await load.DisposeAsync();
                Assert.Contains("Decision records flushed", server.Output, StringComparison.Ordinal);
            }

            Assert.Equal(0, exitCode);
            await using var restarted = await ServerProcess.StartAsync(BuiltServer.Dll, Settings(store));
            var stored = (await RecordLoad.StoredIds(restarted.BaseAddress)).ToHashSet();
            Assert.All(load.Recorded.Keys, id => Assert.Contains(id, stored));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task PostgreSQL_stopped_mid_load_gives_503s_never_an_unrecorded_200_readiness_off_then_recovery()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connection = await postgres.CreateDatabaseAsync("down");
        var settings = Settings(new Dictionary<string, string>
        {
            ["Records__ConnectionString"] = connection,
            ["Records__UnreadyAfterSeconds"] = "2",
            ["Records__CommitTimeoutSeconds"] = "2",
        });
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, settings);
        var load = new RecordLoad(server.BaseAddress, clients: 4, applicationPrefix: "down");
        await using (load)
        {
            await load.WaitForRecordsAsync(100, TimeSpan.FromSeconds(20));
            await postgres.StopAsync();
            var before = load.Recorded.Count;

            // Readiness turns 503 after Records:UnreadyAfterSeconds of failure.
            Assert.True(await ReadinessBecomes(server, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20)), "readiness stayed 200 with the store down");
            var refusedWhileDown = load.Refused.Count;

            // Reading the records fails too, as a 503 problem, not a 500.
            using (var auditor = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) })
            {
                auditor.DefaultRequestHeaders.Add("X-API-Key", RecordLoad.Key);
                using var read = await auditor.GetAsync(new Uri("/api/v1/decisions?limit=1", UriKind.Relative));
                Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
                Assert.Equal("application/problem+json", read.Content.Headers.ContentType?.MediaType);
            }

            await postgres.StartAgainAsync();
            Assert.True(await ReadinessBecomes(server, HttpStatusCode.OK, TimeSpan.FromSeconds(30)), "readiness did not come back with the store");
            var recovered = load.Recorded.Count;
            await load.WaitForRecordsAsync(recovered + 50, TimeSpan.FromSeconds(20));

            output.WriteLine($"200 before stop: {before}; refused while down: {refusedWhileDown}; 200 after recovery: {load.Recorded.Count - recovered}; connection errors: {load.Errors}");
            Assert.True(refusedWhileDown > 0, "no request was refused while the store was down");
            Assert.True(load.Recorded.Count >= recovered + 50, "scoring did not recover");
        }

        var refusals = load.Refused.ToList();
        Assert.All(refusals, r =>
        {
            Assert.Equal(503, r.Status);
            Assert.Equal("1", r.RetryAfter);
            Assert.Contains("Decision store unavailable", r.Body, StringComparison.Ordinal);
        });
        Assert.Equal(0, load.OkWithoutId);
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);

        // Every 200 (before, during and after the outage) is in the database itself.
        var stored = (await postgres.QueryAsync("down", "SELECT id FROM decisions"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToHashSet();
        var missing = load.Recorded.Keys.Where(id => !stored.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {load.Recorded.Count} decisions answered 200 are not in PostgreSQL");
    }

    [Fact]
    public async Task PostgreSQL_that_answers_reads_but_refuses_writes_turns_readiness_off_and_back_on()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connection = await postgres.CreateDatabaseAsync("readonly");
        var settings = Settings(new Dictionary<string, string>
        {
            ["Records__ConnectionString"] = connection,
            ["Records__UnreadyAfterSeconds"] = "1",
            ["Records__CommitTimeoutSeconds"] = "2",
        });
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, settings);
        var body = new System.Text.Json.Nodes.JsonObject(BuiltServer.Example("german-credit")
            .Select(p => KeyValuePair.Create(p.Key, System.Text.Json.Nodes.JsonNode.Parse(p.Value.GetRawText())))).ToJsonString();
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add("X-API-Key", RecordLoad.Key);
        async Task<HttpStatusCode> Score()
        {
            using var response = await client.PostAsync(new Uri("/api/v1/score", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await Score());

        // Every session of the database read-only from now on (its existing ones closed): SELECT works, INSERT fails,
        // as on a full disk or a replica promoted the wrong way round.
        async Task ReadOnly(bool on)
        {
            await postgres.QueryAsync("postgres", on
                ? "ALTER DATABASE readonly SET default_transaction_read_only = on"
                : "ALTER DATABASE readonly RESET default_transaction_read_only");
            await postgres.QueryAsync("postgres", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'readonly'");
        }

        await ReadOnly(true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = 0;
        while (refused == 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            refused += await Score() == HttpStatusCode.ServiceUnavailable ? 1 : 0;
        }

        Assert.True(refused > 0, "a read-only database still took commits");
        Assert.True(await ReadinessBecomes(server, HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(15)), "readiness stayed 200 while no commit could succeed");
        using (var read = await client.GetAsync(new Uri("/api/v1/decisions?limit=1", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        await Task.Delay(1500);
        Assert.False(await ReadinessBecomes(server, HttpStatusCode.OK, TimeSpan.FromSeconds(2)), "a working read turned readiness back on while writes still fail");

        await ReadOnly(false);
        Assert.True(await ReadinessBecomes(server, HttpStatusCode.OK, TimeSpan.FromSeconds(30)), "readiness did not recover once writes worked again");
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await Score());
        }

        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
    }

    private static async Task<bool> ReadinessBecomes(ServerProcess server, HttpStatusCode status, TimeSpan within)
    {
        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            try
            {
                using var ready = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (ready.StatusCode == status)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Busy; ask again.
            }

            await Task.Delay(200);
        }

        return false;
    }
}
