using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using CreditRisk.Testing;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// At least 10 000 hostile requests from <see cref="Hostile"/> against the real server process over HTTP, 8 at a time,
/// valid requests interleaved. Every case is generated from (seed, index), so one failure replays alone:
/// FUZZ_SEED=&lt;seed&gt; [FUZZ_CASE=&lt;index&gt;] [FUZZ_COUNT=&lt;n&gt;] dotnet test --filter Fuzz.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const ulong DefaultSeed = 20_260_510;
    private const int DefaultCount = 10_000;
    private const int Concurrency = 8;

    [Theory]
    [InlineData("german-credit")]
    [InlineData("lending-club")]
    public async Task Ten_thousand_hostile_bodies_get_4xx_problems_and_never_a_5xx(string dataset)
    {
        var seed = Env("FUZZ_SEED", DefaultSeed);
        var count = (int)Env("FUZZ_COUNT", DefaultCount);
        var only = Environment.GetEnvironmentVariable("FUZZ_CASE") is { Length: > 0 } c ? int.Parse(c, CultureInfo.InvariantCulture) : (int?)null;
        output.WriteLine($"fuzz seed {seed} (replay: FUZZ_SEED={seed} FUZZ_CASE=<index>), {count} cases, {Concurrency} clients");

        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, BuiltServer.Serving(dataset));
        using var client = Client(server);

        // Reference PDs, one sequential call each, before any abuse.
        var pool = Hostile.ValidPool(BuiltServer.Spec(dataset), seed, 31);
        var reference = new double[pool.Length];
        for (var i = 0; i < pool.Length; i++)
        {
            using var response = await Post(client, Hostile.Score, System.Text.Encoding.UTF8.GetBytes(Hostile.ObjectText(Hostile.Members(pool[i]))));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"reference applicant {i}: {(int)response.StatusCode} {text}");
            reference[i] = JsonDocument.Parse(text).RootElement.GetProperty("probabilityOfDefault").GetDouble();
        }

        var gen = Hostile.Case(pool);
        FuzzCase CaseAt(int index) => gen.Sample(50, new FsCheck.Rnd(seed + (ulong)index * 0x9E3779B97F4A7C15UL), 1)[0];

        var failures = new ConcurrentQueue<string>();
        var kinds = new ConcurrentDictionary<string, int>();
        var statuses = new ConcurrentDictionary<int, int>();
        var scoredChecks = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        var indexes = only is { } one ? [one] : Enumerable.Range(0, count).ToArray();

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= indexes.Length || failures.Count >= 20)
                {
                    return;
                }

                var index = indexes[n];
                var fuzz = CaseAt(index);
                kinds.AddOrUpdate(fuzz.Kind, 1, (_, v) => v + 1);
                try
                {
                    using var response = await Post(client, fuzz.Path, fuzz.Body);
                    var status = (int)response.StatusCode;
                    statuses.AddOrUpdate(status, 1, (_, v) => v + 1);
                    var text = await response.Content.ReadAsStringAsync();
                    var problem = Check(fuzz, status, response.Content.Headers.ContentType?.MediaType, text, reference, ref scoredChecks);
                    if (problem is not null)
                    {
                        failures.Enqueue($"case {index} [{fuzz.Kind}] {fuzz.Path}: {problem}\n  sent: {fuzz.Preview}\n  got: {Trim(text)}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    failures.Enqueue($"case {index} [{fuzz.Kind}] {fuzz.Path}: transport error {e.GetType().Name}: {e.Message}\n  sent: {fuzz.Preview}");
                }
            }
        })));

        output.WriteLine($"{indexes.Length} cases in {clock.Elapsed.TotalSeconds:0.0} s; {scoredChecks} valid requests scored with the reference PD");
        output.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        output.WriteLine("kinds: " + string.Join(", ", kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}×{k.Value}")));

        // Still healthy, still scoring the reference applicant exactly as before.
        using (var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative)))
        {
            Assert.Equal(200, (int)ready.StatusCode);
        }

        Assert.False(server.Process.HasExited, "the server process died: " + server.Output);
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} failing case(s):\n" + string.Join("\n", failures.Take(20)));
        if (only is null)
        {
            Assert.True(scoredChecks >= count / 20, $"only {scoredChecks} valid requests were checked");
        }
    }

    /// <summary>Null when the answer is acceptable for the case, else what is wrong with it.</summary>
    private static string? Check(FuzzCase fuzz, int status, string? mediaType, string text, double[] reference, ref int scoredChecks)
    {
        if (status >= 500)
        {
            return $"{status} server error";
        }

        if (status is >= 400 and < 500)
        {
            if (fuzz.Expect == Expect.Scored)
            {
                return $"valid request refused with {status}";
            }

            if (mediaType != "application/problem+json")
            {
                return $"{status} with Content-Type {mediaType ?? "(none)"}, not application/problem+json";
            }

            if (text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal))
            {
                return "problem echoes an exception or stack trace";
            }

            try
            {
                var problem = JsonDocument.Parse(text).RootElement;
                return problem.TryGetProperty("status", out var s) && s.GetInt32() == status ? null : "problem without the matching status";
            }
            catch (JsonException)
            {
                return "problem body is not JSON";
            }
        }

        if (status is < 200 or >= 300)
        {
            return $"unexpected status {status}";
        }

        if (fuzz.Expect == Expect.Refused)
        {
            return $"hostile request accepted with {status}";
        }

        if (mediaType != "application/json")
        {
            return $"{status} with Content-Type {mediaType}";
        }

        var root = JsonDocument.Parse(text).RootElement;
        var pds = fuzz.Path == Hostile.Batch
            ? root.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("probabilityOfDefault").GetDouble()).ToArray()
            : [root.GetProperty("probabilityOfDefault").GetDouble()];
        if (fuzz.Pool.Length == 0)
        {
            return pds.All(pd => pd is >= 0 and <= 1) ? null : "PD outside [0, 1]";
        }

        if (pds.Length != fuzz.Pool.Length)
        {
            return $"{pds.Length} results for {fuzz.Pool.Length} applicants";
        }

        for (var i = 0; i < pds.Length; i++)
        {
            var expected = reference[fuzz.Pool[i]];
            if (Math.Abs(pds[i] - expected) > 1e-6)
            {
                return $"row {i}: PD {pds[i]:R} but the reference call gave {expected:R}";
            }
        }

        Interlocked.Increment(ref scoredChecks);
        return null;
    }

    private static HttpClient Client(ServerProcess server) => new(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency })
    {
        BaseAddress = server.BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// Bodies over the server's 1 MiB limit go with "Expect: 100-continue", as well-behaved clients send large uploads:
    /// the server answers 413 before the upload. Without it the server still answers 413 but then closes the
    /// connection while the client is writing, which the client sees as a transport error instead of the answer.
    /// </summary>
    private static Task<HttpResponseMessage> Post(HttpClient client, string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = content };
        if (body.Length > 1024 * 1024)
        {
            request.Headers.ExpectContinue = true;
        }

        return client.SendAsync(request);
    }

    private static ulong Env(string name, ulong fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? ulong.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string Trim(string text) => text.Length <= 400 ? text : text[..400] + "…";
}
