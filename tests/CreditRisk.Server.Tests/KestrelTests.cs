using System.Net;
using System.Net.Sockets;
using System.Text;
using CreditRisk.Contracts;
using CreditRisk.Testing;

namespace CreditRisk.Server.Tests;

/// <summary>The built server as a real process on Kestrel at 127.0.0.1 (a free port), shared by the tests of a class.</summary>
public sealed class RealServer : IAsyncLifetime
{
    private ServerProcess _server = null!;

    public int Port => _server.Port;

    public HttpClient Client => _server.Client;

    public string Output => _server.Output;

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
        {
            ["Limits__RequestTimeoutSeconds"] = "2",
            // The per-request scoring line is Debug by default; the test checks what it holds.
            ["Serilog__MinimumLevel__Override__CreditRisk.Server.Scoring"] = "Debug",
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();
}

/// <summary>Over real HTTP: HttpClient and raw sockets against the server process.</summary>
public sealed class KestrelTests(RealServer server) : IClassFixture<RealServer>
{
    private readonly RealServer _server = server;

    [Fact]
    public async Task Real_server_scores_serves_docs_and_refuses_abuse()
    {
        var score = await _server.Client.PostJson("/api/v1/score", Http.ApplicantJson());
        Assert.Equal(HttpStatusCode.OK, score.StatusCode);
        var result = (await score.Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
        Assert.Contains(result.Decision, new[] { Decisions.Approve, Decisions.Reject });

        Assert.Equal(HttpStatusCode.OK, (await _server.Client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _server.Client.GetAsync("/swagger/v1/swagger.yaml")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _server.Client.GetAsync("/")).StatusCode);
        await (await _server.Client.PostJson("/api/v1/score", "{")).AssertProblem(400);
        // Kestrel answers 413 before reading an oversized body; Expect: 100-continue keeps the client from writing into a closed socket.
        using var tooLarge = new HttpRequestMessage(HttpMethod.Post, "/api/v1/score") { Content = Http.JsonContent(new string(' ', 2 * 1024 * 1024)) };
        tooLarge.Headers.ExpectContinue = true;
        await (await _server.Client.SendAsync(tooLarge)).AssertProblem(413);

        Assert.Contains("Scoring page at {PageUrls} and Swagger UI at {SwaggerUrls}", _server.Output, StringComparison.Ordinal);
        Assert.Contains("\"Decision\":", _server.Output, StringComparison.Ordinal);
        // ORT's start-up chatter (e.g. "Error merging shape info") stays out of the server's output.
        Assert.DoesNotContain("merging shape info", _server.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Development_logs_are_readable_lines_naming_the_page_and_swagger_urls_and_production_logs_are_json()
    {
        await using var development = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        });
        var url = development.BaseAddress.ToString().TrimEnd('/');
        var line = await StartLineAsync(() => development.Output);
        Assert.True(line is not null, "no start-up line naming the page:\n" + development.Output);
        // Plain text the terminal can click: the URLs unquoted, no JSON braces.
        Assert.Contains($"INF] Scoring page at {url}/ and Swagger UI at {url}/swagger", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\"@mt\"", development.Output, StringComparison.Ordinal);

        // The shared server runs as Production (as the container does): one compact JSON object per line.
        var json = await StartLineAsync(() => _server.Output);
        Assert.StartsWith("{\"@t\":", json?.TrimStart(), StringComparison.Ordinal);
    }

    /// <summary>The start-up line naming the URLs; the log queue may write it a moment after readiness answers.</summary>
    private static async Task<string?> StartLineAsync(Func<string> output)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (output().Split('\n').FirstOrDefault(l => l.Contains("Scoring page at", StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(100);
        }

        return null;
    }

    [Fact]
    public async Task Readiness_probe_of_the_image_healthcheck_says_0_for_a_ready_server_and_1_for_none()
    {
        var port = _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, await CreditRisk.Server.Health.ReadinessProbe.RunAsync(port));

        using var unused = new TcpListener(IPAddress.Loopback, 0);
        unused.Start();
        var closedPort = ((IPEndPoint)unused.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        unused.Stop();
        Assert.Equal(1, await CreditRisk.Server.Health.ReadinessProbe.RunAsync(closedPort));
    }

    [Fact]
    public async Task Oversized_headers_are_refused_with_431()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Add("X-Padding", new string('a', 20 * 1024));
        var response = await _server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Slow_body_times_out_with_408_problem()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _server.Port);
        var stream = tcp.GetStream();
        var head = "POST /api/v1/score HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"age\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var statusLine = await reader.ReadLineAsync(timeout.Token);
        Assert.StartsWith("HTTP/1.1 408", statusLine, StringComparison.Ordinal);
        var headers = new List<string>();
        while (await reader.ReadLineAsync(timeout.Token) is { Length: > 0 } line)
        {
            headers.Add(line);
        }

        Assert.Contains("Content-Type: application/problem+json", headers);
    }
}
