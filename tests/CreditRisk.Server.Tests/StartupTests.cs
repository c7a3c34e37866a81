using System.Net;
using System.Net.Sockets;

namespace CreditRisk.Server.Tests;

/// <summary>F6: whatever an operator gets wrong at start exits 1 with one line on stderr naming it, no stack trace.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("Limits__MaxRequestBodyBytes", "5", "MaxRequestBodyBytes")]
    [InlineData("Limits__RequestTimeoutSeconds", "-1", "RequestTimeoutSeconds")]
    [InlineData("Scoring__MaxBatchSize", "abc", "Scoring:MaxBatchSize")]
    [InlineData("Limits__MaxConcurrentConnections", "0", "MaxConcurrentConnections")]
    [InlineData("Limits__KeepAliveTimeoutSeconds", "1e9", "Limits:KeepAliveTimeoutSeconds")]
    [InlineData("Limits__HealthPort", "70000", "HealthPort")]
    [InlineData("Inference__GrpcPort", "70000", "GrpcPort")]
    [InlineData("Inference__GrpcPort", "abc", "Inference:GrpcPort")]
    [InlineData("Model__Path", "", "Path")]
    [InlineData("Scoring__MaxReasons", "5", "MaxReasons")] // Regulation B practice: at most 4 reasons per reject
    [InlineData("Scoring__CoalesceMaxRows", "-1", "CoalesceMaxRows")]
    [InlineData("Model__ParallelRunRows", "-1", "ParallelRunRows")]
    [InlineData("Records__CommitTimeoutSeconds", "0", "CommitTimeoutSeconds")]
    [InlineData("Records__Enabled", "maybe", "Records:Enabled")]
    [InlineData("Records__ConnectionString", "Host=127.0.0.1;Bogus Keyword=1", "Records:ConnectionString")]
    [InlineData("Monitoring__WindowDecisions", "0", "WindowDecisions")]
    [InlineData("Monitoring__WindowDays", "-1", "WindowDays")]
    [InlineData("Monitoring__RefreshSeconds", "abc", "Monitoring:RefreshSeconds")]
    [InlineData("ApiKey__Key", "short", "ApiKey:Key")]
    [InlineData("ApiKey__RequiredForScoring", "true", "ApiKey:Key")]
    public async Task Bad_setting_exits_1_with_one_line_naming_it(string key, string value, string named)
    {
        var (exitCode, stdout, stderr) = await ModelLoadTests.RunServer(new() { [key] = value, ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" });
        AssertOneLineExit1(exitCode, stdout, stderr, named);
    }

    [Fact]
    public async Task Busy_port_exits_1_with_one_line_naming_the_address()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)busy.LocalEndpoint).Port}";
        var (exitCode, stdout, stderr) = await ModelLoadTests.RunServer(new() { ["ASPNETCORE_URLS"] = url });
        AssertOneLineExit1(exitCode, stdout, stderr, url);
        Assert.Contains("address already in use", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Busy_grpc_port_exits_1_with_one_line_naming_the_address()
    {
        using var busy = new TcpListener(IPAddress.IPv6Any, 0);
        busy.Server.DualMode = true;
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var (exitCode, stdout, stderr) = await ModelLoadTests.RunServer(new()
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Inference__GrpcPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        AssertOneLineExit1(exitCode, stdout, stderr, $":{port}");
        Assert.Contains("address already in use", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_PostgreSQL_exits_1_with_one_line_naming_the_store_but_not_the_password()
    {
        var port = CreditRisk.Testing.ServerProcess.FreePort();
        var (exitCode, stdout, stderr) = await ModelLoadTests.RunServer(new()
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Records__ConnectionString"] = $"Host=127.0.0.1;Port={port};Username=app;Password=s3cret-pw;Database=records;Timeout=2",
        });
        AssertOneLineExit1(exitCode, stdout, stderr, $"PostgreSQL store 127.0.0.1:{port}/records");
        Assert.DoesNotContain("s3cret-pw", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_decisions_db_where_a_store_was_is_refused_at_start_unless_CreateIfMissing()
    {
        var folder = Directory.CreateTempSubdirectory("creditrisk-missing-").FullName;
        try
        {
            var settings = new Dictionary<string, string> { ["Records__DataFolder"] = folder };
            Guid id;
            await using (var first = await CreditRisk.Testing.ServerProcess.StartAsync(Paths.ServerDll, settings))
            {
                using var scored = await first.Client.PostJson("/api/v1/score", Http.ApplicantJson());
                Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
                id = (await scored.Content.ReadFromJsonAsync<CreditRisk.Contracts.ScoreResult>(Http.Json))!.DecisionId!.Value;
            }

            // The file goes (a volume not mounted, a wrong path, a deletion); the folder still says a store was here.
            foreach (var file in Directory.GetFiles(folder, "decisions.db*").Where(f => !f.EndsWith(".created", StringComparison.Ordinal)))
            {
                File.Delete(file);
            }

            var (exitCode, stdout, stderr) = await ModelLoadTests.RunServer(new()
            {
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["Records__DataFolder"] = folder,
            });
            AssertOneLineExit1(exitCode, stdout, stderr, Path.Combine(folder, "decisions.db"));
            Assert.Contains("Records:CreateIfMissing", stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(folder, "decisions.db")), "the refused start created an empty store anyway");

            // The operator's explicit choice: an empty store, in which the old decision is unknown.
            settings["Records__CreateIfMissing"] = "true";
            await using var fresh = await CreditRisk.Testing.ServerProcess.StartAsync(Paths.ServerDll, settings);
            using var score = await fresh.Client.PostJson("/api/v1/score", Http.ApplicantJson());
            Assert.Equal(HttpStatusCode.OK, score.StatusCode);
            Assert.True(File.Exists(Path.Combine(folder, "decisions.db")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static void AssertOneLineExit1(int exitCode, string stdout, string stderr, string named)
    {
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stdout + stderr, StringComparison.Ordinal);
    }
}
