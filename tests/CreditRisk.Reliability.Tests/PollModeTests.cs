using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using CreditRisk.Contracts;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// Poll mode as a fleet runs it (issue 29): two built servers behind the committed nginx site on one PostgreSQL, each
/// watching the same model repository (Model:PollSeconds) with no coordinator. A new version placed in the repository
/// is served by both within the interval (plus its load and verification), with no error during the change, and every
/// record holds the version its response named.
/// </summary>
public sealed class PollModeTests(ITestOutputHelper output)
{
    private const int PollSeconds = 1;

    [Fact]
    public async Task Two_instances_in_poll_mode_converge_on_a_new_version_with_no_errors()
    {
        var repository = Directory.CreateTempSubdirectory("creditrisk-poll-").FullName;
        try
        {
            var shipped = Path.Combine(AppContext.BaseDirectory, "artifacts", "german-credit");
            Place(shipped, Path.Combine(repository, "german-credit", "1"));
            var first = Version(shipped);
            var second = Version(Path.Combine(shipped, "challenger"));

            await using var postgres = await PostgresServer.StartAsync();
            var settings = new Dictionary<string, string>
            {
                ["Model__Repository"] = repository,
                ["Model__PollSeconds"] = PollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Records__ConnectionString"] = await postgres.CreateDatabaseAsync("poll"),
                ["Limits__DrainSeconds"] = "0",
            };
            var starting = new[] { ServerProcess.StartAsync(BuiltServer.Dll, settings), ServerProcess.StartAsync(BuiltServer.Dll, settings) };
            await using var one = await starting[0];
            await using var two = await starting[1];
            await using var nginx = await ScaleOutTests.Nginx.StartAsync(one.Port, two.Port);

            // Clients through the balancer the whole time.
            using var client = new HttpClient { BaseAddress = nginx.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var body = System.Text.Json.JsonSerializer.Serialize(BuiltServer.Example("german-credit"));
            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                var answers = new List<(HttpStatusCode Status, string? Version, Guid? Id)>();
                while (!stop.IsCancellationRequested)
                {
                    using var response = await client.PostAsync(new Uri("/api/v1/score", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
                    var result = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<ScoreResult>(RecordLoad.Json) : null;
                    answers.Add((response.StatusCode, result?.ModelVersion, result?.DecisionId));
                }

                return answers;
            })).ToList();

            await Task.Delay(TimeSpan.FromSeconds(1));
            var placed = Stopwatch.StartNew();
            Place(Path.Combine(shipped, "challenger"), Path.Combine(repository, "german-credit", "2"));
            var converged = new Dictionary<int, TimeSpan>();
            while (converged.Count < 2 && placed.Elapsed < TimeSpan.FromSeconds(30))
            {
                foreach (var instance in new[] { one, two })
                {
                    if (!converged.ContainsKey(instance.Port) &&
                        (await instance.Client.GetFromJsonAsync<ModelList>(new Uri("/api/v1/models", UriKind.Relative), RecordLoad.Json))!.Models.Single().Version == second)
                    {
                        converged[instance.Port] = placed.Elapsed;
                    }
                }

                await Task.Delay(50);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            await stop.CancelAsync();
            var answers = (await Task.WhenAll(clients)).SelectMany(a => a).ToList();
            output.WriteLine($"{answers.Count} requests through nginx; instances served the new version after {string.Join(" and ", converged.Values.Select(t => $"{t.TotalSeconds:F2} s"))} (poll interval {PollSeconds} s)");

            Assert.Equal(2, converged.Count);
            // Within the interval, plus the time to load, verify and warm the new version on a busy 2-core machine.
            Assert.All(converged.Values, t => Assert.True(t < TimeSpan.FromSeconds(PollSeconds + 5), $"converged after {t.TotalSeconds:F2} s"));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
            Assert.All(answers, a => Assert.Contains(a.Version, new[] { first, second }));
            Assert.Contains(answers, a => a.Version == first);
            Assert.Contains(answers, a => a.Version == second);

            // Each record in PostgreSQL holds the version its response named.
            var recorded = (await postgres.QueryAsync("poll", "SELECT id, model_version FROM decisions"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToDictionary(r => Guid.Parse(r[0]), r => r[1]);
            Assert.Equal(answers.Count, recorded.Count);
            Assert.All(answers, a => Assert.Equal(a.Version, recorded[a.Id!.Value]));
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }

    /// <summary>A version folder written beside the repository and renamed into place, so no poll reads half of it.</summary>
    private static void Place(string from, string to)
    {
        var staging = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(to)!)!, ".staging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        foreach (var file in new[] { "model.onnx", "golden.json", "model.json" })
        {
            File.Copy(Path.Combine(from, file), Path.Combine(staging, file));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        Directory.Move(staging, to);
    }

    private static string Version(string folder) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "model.json"))).RootElement.GetProperty("modelVersion").GetString()!;
}
