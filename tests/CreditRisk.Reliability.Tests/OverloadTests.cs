using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>Item 7: beyond the bounded scoring capacity the answer is a quick 503 with Retry-After, not a long wait.</summary>
public sealed class OverloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Batch_storm_beyond_capacity_gets_503_with_retry_after_while_single_scores_keep_working()
    {
        const int BatchClients = 24;
        const int BatchesEach = 3;
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, new Dictionary<string, string>
        {
            ["Limits__MaxConcurrentBatches"] = "1",
            ["Limits__BatchQueueLimit"] = "2",
        });
        var row = Hostile.ObjectText(Hostile.Members(BuiltServer.Example("german-credit")));
        var batchBody = Encoding.UTF8.GetBytes("{\"applicants\":[" + string.Join(",", Enumerable.Repeat(row, 1000)) + "]}");
        var outcomes = new ConcurrentDictionary<string, int>();
        var storming = true;

        async Task Batches()
        {
            using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; i < BatchesEach; i++)
            {
                using var content = new ByteArrayContent(batchBody);
                content.Headers.ContentType = new("application/json");
                using var response = await client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), content);
                var text = await response.Content.ReadAsStringAsync();
                var key = response.StatusCode switch
                {
                    HttpStatusCode.OK when JsonDocument.Parse(text).RootElement.GetProperty("results").GetArrayLength() == 1000 => "200",
                    HttpStatusCode.ServiceUnavailable when response.Headers.RetryAfter?.Delta == TimeSpan.FromSeconds(1)
                        && response.Content.Headers.ContentType?.MediaType == "application/problem+json" => "503+Retry-After",
                    _ => $"{(int)response.StatusCode} {text[..Math.Min(100, text.Length)]}",
                };
                outcomes.AddOrUpdate(key, 1, (_, n) => n + 1);
            }
        }

        var singleLatencies = new List<double>();
        async Task Singles()
        {
            using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; i < 200 && Volatile.Read(ref storming); i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new StringContent(row, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(new Uri("/api/v1/score", UriKind.Relative), content);
                singleLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        var singles = Task.Run(Singles);
        await Task.WhenAll(Enumerable.Range(0, BatchClients).Select(_ => Task.Run(Batches)));
        Volatile.Write(ref storming, false);
        await singles;

        singleLatencies.Sort();
        output.WriteLine("batch outcomes: " + string.Join(", ", outcomes.Select(o => $"{o.Key}×{o.Value}")));
        output.WriteLine($"{singleLatencies.Count} single scores during the storm, p99 {singleLatencies[(int)(0.99 * (singleLatencies.Count - 1))]:0.0} ms");
        Assert.All(outcomes.Keys, k => Assert.True(k is "200" or "503+Retry-After", $"unexpected outcome {k}"));
        Assert.True(outcomes.GetValueOrDefault("503+Retry-After") > 0, "nothing was shed: the storm did not exceed the capacity");
        Assert.True(outcomes.GetValueOrDefault("200") > 0, "nothing was scored");
        Assert.Contains("creditrisk_scoring_shed_total{lane=\"batch\"}", await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }
}
