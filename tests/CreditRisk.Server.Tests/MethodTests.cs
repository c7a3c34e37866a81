using System.Net;

namespace CreditRisk.Server.Tests;

/// <summary>Probes and scrapers read; other methods are refused. Unknown method names never become metric labels.</summary>
[Collection(AppCollection.Name)]
public sealed class MethodTests(SharedApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    [InlineData("POST", "/metrics")]
    [InlineData("DELETE", "/metrics")]
    [InlineData("PUT", "/health/live")]
    [InlineData("POST", "/health/ready")]
    [InlineData("BREW", "/health/live")]
    public async Task Non_read_methods_on_health_and_metrics_get_405(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/metrics")]
    [InlineData("HEAD", "/metrics")]
    [InlineData("GET", "/health/live")]
    [InlineData("HEAD", "/health/ready")]
    public async Task Get_and_head_on_health_and_metrics_answer_200(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_method_is_labelled_OTHER_in_metrics()
    {
        using var request = new HttpRequestMessage(new HttpMethod("XYZZY42"), "/api/v1/score");
        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        var metrics = await _client.GetStringAsync("/metrics");
        Assert.DoesNotContain("XYZZY42", metrics, StringComparison.Ordinal);
        Assert.Contains("method=\"_OTHER\"", metrics, StringComparison.Ordinal);
    }
}

/// <summary>Small hardening items of issue 21.</summary>
[Collection(AppCollection.Name)]
public sealed class ApiResponseTests(SharedApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Score_and_batch_responses_are_not_stored_by_caches()
    {
        var single = await _client.PostJson("/api/v1/score", Http.ApplicantJson());
        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        Assert.True(single.Headers.CacheControl?.NoStore, "score response lacks Cache-Control: no-store");
        var batch = await _client.PostJson("/api/v1/score/batch", new System.Text.Json.Nodes.JsonObject { ["applicants"] = new System.Text.Json.Nodes.JsonArray(Http.ApplicantJson()) });
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        Assert.True(batch.Headers.CacheControl?.NoStore, "batch response lacks Cache-Control: no-store");
    }

    [Fact]
    public void Rate_limiting_is_on_by_default_in_the_options_and_the_shipped_settings()
    {
        Assert.Equal(100, new Hosting.LimitsOptions().RateLimitPermits);
        var settings = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "appsettings.json")))!;
        Assert.Equal(100, (int)settings["Limits"]!["RateLimitPermits"]!);
        Assert.Equal(10, new Hosting.LimitsOptions().AggregatesRateLimitPermits);
        Assert.Equal(10, (int)settings["Limits"]!["AggregatesRateLimitPermits"]!);
    }
}
