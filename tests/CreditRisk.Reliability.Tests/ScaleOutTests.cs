using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CreditRisk.Contracts;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// Elastic Beanstalk's shape on one machine: two built servers on loopback behind Debian's nginx with the committed
/// deploy/nginx/creditrisk.conf, sharing one PostgreSQL. N requests through nginx give N records, no duplicates, both
/// instances served, and outcomes posted to either instance join decisions whichever instance made them.
/// </summary>
public sealed partial class ScaleOutTests(ITestOutputHelper output)
{
    private const int Requests = 200;

    [Fact]
    public async Task Two_instances_behind_nginx_share_one_store_without_loss_or_duplicates()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connection = await postgres.CreateDatabaseAsync("scale");
        var settings = BuiltServer.Serving("german-credit");
        settings["Records__ConnectionString"] = connection;
        settings["ApiKey__Key"] = RecordLoad.Key;
        settings["Limits__DrainSeconds"] = "0";

        // Started together, as an auto-scaling group does: both run the migrations, the advisory lock serialises them.
        var starting = new[] { ServerProcess.StartAsync(BuiltServer.Dll, settings), ServerProcess.StartAsync(BuiltServer.Dll, settings) };
        await using var first = await starting[0];
        await using var second = await starting[1];
        await using var nginx = await Nginx.StartAsync(first.Port, second.Port);

        // N applications through the balancer, 8 at a time.
        var run = Guid.NewGuid().ToString("N")[..8];
        using var client = new HttpClient { BaseAddress = nginx.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var body = System.Text.Json.JsonSerializer.SerializeToNode(BuiltServer.Example("german-credit"))!.AsObject();
        var answered = new System.Collections.Concurrent.ConcurrentDictionary<string, Guid>();
        await Parallel.ForAsync(0, Requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var request = body.DeepClone().AsObject();
            request["applicationId"] = $"scale-{run}-{i}";
            using var response = await client.PostAsync(new Uri("/api/v1/score", UriKind.Relative), new StringContent(request.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = (await response.Content.ReadFromJsonAsync<ScoreResult>(RecordLoad.Json, ct))!;
            Assert.Equal($"scale-{run}-{i}", result.ApplicationId);
            answered[result.ApplicationId!] = result.DecisionId!.Value;
        });

        var servedByFirst = await Committed(first);
        var servedBySecond = await Committed(second);
        output.WriteLine($"{Requests} requests through nginx: {servedByFirst} recorded by the first instance, {servedBySecond} by the second");
        Assert.True(servedByFirst > 0 && servedBySecond > 0, "nginx did not spread the requests over both instances");
        Assert.Equal(Requests, servedByFirst + servedBySecond);

        // In the database itself: exactly N rows for this run, N distinct ids, and the very ids the clients got.
        var rows = (await postgres.QueryAsync("scale", $"SELECT id, application_id FROM decisions WHERE application_id LIKE 'scale-{run}-%'"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('|')).ToList();
        Assert.Equal(Requests, rows.Count);
        Assert.Equal(Requests, rows.Select(r => r[0]).Distinct().Count());
        Assert.Equal(answered.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, a.Value)),
            rows.Select(r => (r[1], Guid.Parse(r[0]))).OrderBy(r => r.Item1, StringComparer.Ordinal));

        // Outcomes straight to each instance, alternating, so about half join a decision the other instance made.
        var instances = new[] { first, second };
        var index = 0;
        foreach (var (applicationId, decisionId) in answered)
        {
            var target = instances[index++ % 2];
            using var keyed = new HttpRequestMessage(HttpMethod.Post, new Uri(target.BaseAddress, "/api/v1/outcomes"))
            {
                Content = new StringContent(
                    index % 3 == 0
                        ? $$"""{"applicationId":"{{applicationId}}","defaulted":{{(index % 2 == 0 ? "true" : "false")}},"observedAt":"{{DateTimeOffset.UtcNow:O}}"}"""
                        : $$"""{"decisionId":"{{decisionId}}","defaulted":{{(index % 2 == 0 ? "true" : "false")}},"observedAt":"{{DateTimeOffset.UtcNow:O}}"}""",
                    System.Text.Encoding.UTF8, "application/json"),
            };
            keyed.Headers.Add("X-API-Key", RecordLoad.Key);
            using var posted = await target.Client.SendAsync(keyed);
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            Assert.Equal(decisionId, (await posted.Content.ReadFromJsonAsync<OutcomeResult>(RecordLoad.Json))!.DecisionId);
        }

        var joined = await postgres.QueryAsync("scale", $"SELECT count(*) FROM outcomes o JOIN decisions d ON d.id = o.decision_id WHERE d.application_id LIKE 'scale-{run}-%'");
        Assert.Equal(Requests.ToString(System.Globalization.CultureInfo.InvariantCulture), joined.Trim());

        // And each instance reads every record, outcome included, whichever instance wrote it.
        var sample = answered.Values.Take(20).ToList();
        foreach (var instance in instances)
        {
            using var reader = new HttpClient { BaseAddress = instance.BaseAddress };
            reader.DefaultRequestHeaders.Add("X-API-Key", RecordLoad.Key);
            foreach (var id in sample)
            {
                var record = (await reader.GetFromJsonAsync<DecisionRecord>(new Uri($"/api/v1/decisions/{id}", UriKind.Relative), RecordLoad.Json))!;
                Assert.NotNull(record.Outcome);
            }
        }
    }

    /// <summary>The instance's own count of committed records (creditrisk_records_committed_total on /metrics).</summary>
    private static async Task<int> Committed(ServerProcess server)
    {
        var metrics = await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var match = CommittedMetric().Match(metrics);
        return match.Success ? (int)double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"^creditrisk_records_committed_total (\S+)$", RegexOptions.Multiline)]
    private static partial Regex CommittedMetric();

    /// <summary>
    /// Debian's nginx in the foreground with the committed site file, its upstreams and listener rewritten to the test's
    /// ports; with <c>proxyBind</c>, its connections to the servers come from that loopback address (ForwardedHeadersTests).
    /// </summary>
    internal sealed partial class Nginx : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _folder;

        private Nginx(Process process, string folder, int port)
        {
            _process = process;
            _folder = folder;
            BaseAddress = new Uri($"http://127.0.0.1:{port}");
        }

        public Uri BaseAddress { get; }

        public static async Task<Nginx> StartAsync(int firstPort, int secondPort, string? proxyBind = null)
        {
            var exe = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
            var folder = Directory.CreateTempSubdirectory("creditrisk-nginx-").FullName;
            var port = ServerProcess.FreePort();
            var site = await File.ReadAllTextAsync(Path.Combine(BuiltServer.RepoRoot(), "deploy", "nginx", "creditrisk.conf"));
            var upstreams = 0;
            site = UpstreamServer().Replace(site, m => $"server 127.0.0.1:{(upstreams++ == 0 ? firstPort : secondPort)}{m.Groups[1].Value};");
            site = site.Replace("listen 127.0.0.1:80;", $"listen 127.0.0.1:{port};", StringComparison.Ordinal);
            Assert.Equal(2, upstreams);
            if (proxyBind is not null)
            {
                site = site.Replace("proxy_pass http://creditrisk;", $"proxy_pass http://creditrisk;\n        proxy_bind {proxyBind};", StringComparison.Ordinal);
            }

            await File.WriteAllTextAsync(Path.Combine(folder, "creditrisk.conf"), site);
            // The main file a distribution's nginx.conf would be, with everything inside the test's folder.
            await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), $$"""
                daemon off;
                worker_processes 1;
                pid {{folder}}/nginx.pid;
                error_log {{folder}}/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path {{folder}}/body;
                    proxy_temp_path {{folder}}/proxy;
                    fastcgi_temp_path {{folder}}/fastcgi;
                    uwsgi_temp_path {{folder}}/uwsgi;
                    scgi_temp_path {{folder}}/scgi;
                    include {{folder}}/creditrisk.conf;
                }
                """);
            // nginx's workers run as an unprivileged user when the master is root: they need the temp folders.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite);
            }

            var process = Process.Start(new ProcessStartInfo(exe, ["-p", folder, "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log")])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("nginx did not start");
            var nginx = new Nginx(process, folder, port);
            using var probe = new HttpClient { BaseAddress = nginx.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                try
                {
                    if ((await probe.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode)
                    {
                        return nginx;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                if (process.HasExited)
                {
                    var log = File.Exists(Path.Combine(folder, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(folder, "error.log")) : "";
                    await nginx.DisposeAsync();
                    throw new InvalidOperationException($"nginx exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()} {log}");
                }

                await Task.Delay(100);
            }

            await nginx.DisposeAsync();
            throw new TimeoutException("nginx did not answer within 20 s");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                // SIGTERM: the master stops its workers and reaps them (a SIGKILLed master leaves them as zombies).
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }

                try
                {
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (TimeoutException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }

            _process.Dispose();
            Directory.Delete(_folder, recursive: true);
        }

        [GeneratedRegex(@"server 127\.0\.0\.1:\d+([^;]*);")]
        private static partial Regex UpstreamServer();
    }
}
