using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;

namespace CreditRisk.Server.Tests;

[Collection(AppCollection.Name)]
public sealed class LimitsTests(SharedApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Body_over_the_size_limit_is_a_413()
    {
        var padding = new string(' ', 1024 * 1024 + 1);
        var problem = await (await _client.PostJson("/api/v1/score", padding + Http.ApplicantJson().ToJsonString())).AssertProblem(413);
        Assert.Contains("1048576", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunked_body_over_the_size_limit_is_a_413()
    {
        // No Content-Length: the limit is enforced while reading.
        var content = new StreamContent(new MemoryStream(new byte[2 * 1024 * 1024]));
        content.Headers.ContentType = new("application/json");
        await (await _client.PostAsync("/api/v1/score/batch", content)).AssertProblem(413);
    }

    [Fact]
    public async Task Batch_at_the_limit_is_scored_and_over_it_is_a_413_naming_the_limit()
    {
        var applicant = Http.ApplicantJson();
        var full = new JsonObject { ["applicants"] = new JsonArray([.. Enumerable.Range(0, 1000).Select(_ => applicant.DeepClone())]) };
        var ok = await _client.PostJson("/api/v1/score/batch", full);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        full["applicants"]!.AsArray().Add(applicant.DeepClone());
        var problem = await (await _client.PostJson("/api/v1/score/batch", full)).AssertProblem(413);
        Assert.Contains("at most 1000 applicants", (string)problem["detail"]!, StringComparison.Ordinal);
    }
}

/// <summary>Limits that need their own configuration.</summary>
public sealed class ConfiguredLimitsTests
{
    [Fact]
    public async Task Rate_limiting_is_off_by_default_and_answers_429_problem_when_on()
    {
        using var limited = new AppFactory(new Dictionary<string, string?>
        {
            ["Limits:RateLimitPermits"] = "3",
            ["Limits:RateLimitWindowSeconds"] = "60",
        });
        var client = limited.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostJson("/api/v1/score", Http.ApplicantJson())).StatusCode);
        }

        var response = await client.PostJson("/api/v1/score", Http.ApplicantJson());
        await response.AssertProblem(429);
        Assert.Equal("60", response.Headers.RetryAfter?.ToString());
        // Probes are never limited.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Smaller_batch_limit_from_configuration_is_enforced()
    {
        using var small = new AppFactory(new Dictionary<string, string?> { ["Scoring:MaxBatchSize"] = "2" });
        var applicant = Http.ApplicantJson();
        var body = new JsonObject { ["applicants"] = new JsonArray(applicant.DeepClone(), applicant.DeepClone(), applicant.DeepClone()) };
        var problem = await (await small.CreateClient().PostJson("/api/v1/score/batch", body)).AssertProblem(413);
        Assert.Contains("at most 2 applicants", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reasons_can_be_switched_off()
    {
        using var plain = new AppFactory(new Dictionary<string, string?> { ["Scoring:Reasons"] = "false" });
        var rejected = Golden.Load().Rows.First(r => r.Kind == "data" && r.Decision == "reject");
        var result = (await (await plain.CreateClient().PostJson("/api/v1/score", rejected.Input.DeepClone()))
            .Content.ReadFromJsonAsync<CreditRisk.Contracts.ScoreResult>(Http.Json))!;
        Assert.Equal("reject", result.Decision);
        Assert.Empty(result.Reasons);
    }

    [Fact]
    public void Invalid_options_stop_the_start()
    {
        using var broken = new AppFactory(new Dictionary<string, string?> { ["Scoring:MaxBatchSize"] = "0" });
        // The entry point refuses to run the host (its one-line message is checked over a real process in ModelLoadTests).
        Assert.ThrowsAny<InvalidOperationException>(() => broken.CreateClient());
    }
}

/// <summary>Development mode adds the developer exception page; problems must still carry no exception details.</summary>
public sealed class DevelopmentEnvironmentTests
{
    [Fact]
    public async Task Problems_carry_no_exception_details_in_development()
    {
        using var app = new AppFactory(new Dictionary<string, string?>());
        using var development = app.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        var client = development.CreateClient();
        await (await client.PostJson("/api/v1/score", "{\"age\": NaN}")).AssertProblem(400);
        await (await client.GetAsync("/nowhere")).AssertProblem(404);
        var chunked = new StreamContent(new MemoryStream(new byte[2 * 1024 * 1024]));
        chunked.Headers.ContentType = new("application/json");
        await (await client.PostAsync("/api/v1/score", chunked)).AssertProblem(413);
    }
}
