using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using V2 = global::Inference;

namespace CreditRisk.Server.Tests;

/// <summary>
/// The real server as a process serving a model repository in Triton's layout (<c>&lt;name&gt;/&lt;version&gt;/model.onnx</c>)
/// that holds both shipped models, its gRPC port open, with the records key and the admin key. The repository is a
/// folder of the fixture's own: the lifecycle tests add versions to it and take them away again.
/// </summary>
public class RepositoryServer : IAsyncLifetime
{
    public const string Key = "repository-test-key-0123456789";
    public const string AdminKey = "repository-admin-key-0123456789";

    public string Repository { get; } = Directory.CreateTempSubdirectory("creditrisk-repository-").FullName;

    public ServerProcess Server { get; private set; } = null!;

    public V2.GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    /// <summary>A client that sends the records key.</summary>
    public HttpClient Keyed { get; private set; } = null!;

    /// <summary>A client that sends the admin key.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>The channel of <see cref="Grpc"/>, for calls built by hand.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        PlaceVersion(TestModels.German, 1, Shipped(TestModels.German));
        PlaceVersion(TestModels.LendingClub, 1, Shipped(TestModels.LendingClub));
        var grpcPort = ServerProcess.FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Model__Repository"] = Repository,
            ["Model__Default"] = TestModels.German,
            ["Inference__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["ApiKey__Key"] = Key,
            ["ApiKey__AdminKey"] = AdminKey,
        };
        Configure(settings);
        Server = await ServerProcess.StartAsync(Paths.ServerDll, settings);
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Grpc = new V2.GRPCInferenceService.GRPCInferenceServiceClient(Channel);
        Keyed = new HttpClient { BaseAddress = Server.BaseAddress };
        Keyed.DefaultRequestHeaders.Add("X-API-Key", Key);
        Admin = new HttpClient { BaseAddress = Server.BaseAddress };
        Admin.DefaultRequestHeaders.Add("X-API-Key", AdminKey);
    }

    /// <summary>Settings a derived fixture adds to the server's (environment variables).</summary>
    protected virtual void Configure(Dictionary<string, string> settings)
    {
    }

    /// <summary>The folder of a shipped model as the build copied it (model.onnx, golden.json, model.json).</summary>
    public static string Shipped(string dataset, string? sub = null) =>
        sub is null ? Path.Combine(AppContext.BaseDirectory, "artifacts", dataset) : Path.Combine(AppContext.BaseDirectory, "artifacts", dataset, sub);

    /// <summary>
    /// Puts a model folder's files into <c>&lt;name&gt;/&lt;version&gt;/</c> the way a deployment should: written beside
    /// the repository, then renamed into place in one step, so a poll never reads half a version.
    /// </summary>
    public string PlaceVersion(string name, int version, string from, byte[]? onnx = null)
    {
        var staging = Path.Combine(Repository, $".staging-{name}-{version}");
        Directory.CreateDirectory(staging);
        foreach (var file in new[] { "model.onnx", "golden.json", "model.json" })
        {
            File.Copy(Path.Combine(from, file), Path.Combine(staging, file), overwrite: true);
        }

        if (onnx is not null)
        {
            File.WriteAllBytes(Path.Combine(staging, "model.onnx"), onnx);
        }

        var target = Path.Combine(Repository, name, version.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.Move(staging, target);
        return target;
    }

    public void RemoveVersion(string name, int version) =>
        Directory.Delete(Path.Combine(Repository, name, version.ToString(CultureInfo.InvariantCulture)), recursive: true);

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        Keyed.Dispose();
        Admin.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(Repository, recursive: true);
    }
}

/// <summary>Several models in one process, each served by name on every transport (issue 29 §1).</summary>
public sealed partial class ModelRepositoryTests(RepositoryServer fixture) : IClassFixture<RepositoryServer>
{
    private readonly HttpClient _client = fixture.Server.Client;

    [Fact]
    public async Task Both_shipped_models_are_listed_and_the_default_one_answers_api_v1_score()
    {
        var list = (await _client.GetFromJsonAsync<ModelList>("/api/v1/models", Http.Json))!;
        Assert.Equal(TestModels.German, list.Default);
        Assert.Equal([TestModels.German, TestModels.LendingClub], list.Models.Select(m => m.Name));
        foreach (var model in list.Models)
        {
            Assert.Equal(TestModels.SidecarVersion(model.Name), model.Version);
            Assert.Equal("1", model.Folder);
            Assert.Equal(model.Name == TestModels.German, model.IsDefault);
            var described = (await _client.GetFromJsonAsync<ModelInfo>($"/api/v1/models/{model.Name}", Http.Json))!;
            Assert.Equal(model.Version, described.Version);
            Assert.Equal(model.Name, described.Dataset);
            var rules = (await _client.GetFromJsonAsync<InputRulesInfo>($"/api/v1/models/{model.Name}/rules", Http.Json))!;
            Assert.Equal(described.Features.Select(f => f.Name), rules.Fields.Select(f => f.Name));
        }

        var score = await _client.PostJson("/api/v1/score", Http.ApplicantJson());
        Assert.Equal(HttpStatusCode.OK, score.StatusCode);
        Assert.Equal(TestModels.SidecarVersion(TestModels.German), (await score.Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!.ModelVersion);
        Assert.Equal(TestModels.SidecarVersion(TestModels.German), (await _client.GetFromJsonAsync<ModelInfo>("/api/v1/model", Http.Json))!.Version);

        // A Lending Club applicant is not a German Credit one: the default model refuses it by its own rules.
        await (await _client.PostJson("/api/v1/score", Http.ApplicantJson(TestModels.LendingClub))).AssertProblem(400);
    }

    [Theory]
    [MemberData(nameof(TestModels.Datasets), MemberType = typeof(TestModels))]
    public async Task Each_model_scores_its_golden_rows_by_name_over_rest_v2_and_grpc_bit_for_bit(string dataset)
    {
        var version = TestModels.SidecarVersion(dataset);
        await Golden.Load(dataset).AssertServedBy(_client, $"/api/v1/models/{dataset}/score/batch");

        // Rows that carry every input (gRPC's typed contents have no null), scored by name on each transport.
        var spec = TestModels.Spec(dataset);
        var rows = Golden.Load(dataset).Rows
            .Where(r => r.Kind is "data" or "edge" && spec.Inputs.All(f => r.Input[f.Name] is not null))
            .Take(200).Select(r => r.Input).ToList();
        Assert.True(rows.Count >= 50, $"only {rows.Count} complete golden rows");
        var v1 = await _client.PostJson($"/api/v1/models/{dataset}/score/batch", new JsonObject { ["applicants"] = new JsonArray([.. rows.Select(r => r.DeepClone())]) });
        var expected = (await v1.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!;
        Assert.Equal(version, expected.ModelVersion);

        var rest = await _client.PostJson($"/v2/models/{dataset}/infer", OpenInferenceTests.InferRequest(rows, dataset: dataset));
        var restText = await rest.Content.ReadAsStringAsync();
        Assert.True(rest.StatusCode == HttpStatusCode.OK, restText);
        var restBody = JsonNode.Parse(restText)!.AsObject();
        Assert.Equal(dataset, (string)restBody["model_name"]!);
        Assert.Equal(version, (string)restBody["model_version"]!);
        var restPds = OpenInferenceTests.Output(restBody, "probability_of_default", "FP32", rows.Count);

        var grpc = await fixture.Grpc.ModelInferAsync(OpenInferenceTests.GrpcRequest(rows, raw: false, dataset: dataset));
        Assert.Equal(dataset, grpc.ModelName);
        Assert.Equal(version, grpc.ModelVersion);
        var grpcPds = grpc.Outputs.Single(o => o.Name == "probability_of_default").Contents.Fp32Contents;
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Results[i].ProbabilityOfDefault), BitConverter.DoubleToInt64Bits((double)restPds[i]!));
            Assert.Equal(BitConverter.SingleToInt32Bits((float)expected.Results[i].ProbabilityOfDefault), BitConverter.SingleToInt32Bits(grpcPds[i]));
        }

        // One applicant by name: its record holds the version that decided and the applicant in that model's own spec.
        var one = await _client.PostJson($"/api/v1/models/{dataset}/score", rows[0].DeepClone());
        var result = (await one.Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Results[0].ProbabilityOfDefault), BitConverter.DoubleToInt64Bits(result.ProbabilityOfDefault));
        var record = (await fixture.Keyed.GetFromJsonAsync<DecisionRecord>($"/api/v1/decisions/{result.DecisionId}", Http.Json))!;
        Assert.Equal(version, record.ModelVersion);
        Assert.Equal(dataset, record.Model);
        Assert.Equal(rows[0].Where(p => p.Value is not null).Select(p => p.Key).Order(StringComparer.Ordinal),
            record.Applicant.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var metrics = await _client.GetStringAsync("/metrics");
        Assert.Contains($"creditrisk_model_info{{model=\"{dataset}\",version=\"{version}\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_csv_batch_by_name_is_scored_by_that_model_as_its_json_batch_is()
    {
        var spec = TestModels.Spec(TestModels.LendingClub);
        var rows = Golden.Load(TestModels.LendingClub).Rows
            .Where(r => r.Kind == "data" && spec.Inputs.All(f => r.Input[f.Name] is not null)).Take(20).Select(r => r.Input).ToList();
        var names = spec.Inputs.Select(f => f.Name).ToList();
        var csv = string.Join('\n', [string.Join(',', names), .. rows.Select(r => string.Join(',', names.Select(n => r[n]!.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? ((double)r[n]!).ToString("R", CultureInfo.InvariantCulture) : (string)r[n]!)))]) + "\n";
        using var response = await _client.PostAsync($"/api/v1/models/{TestModels.LendingClub}/score/batch", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal(TestModels.SidecarVersion(TestModels.LendingClub), response.Headers.GetValues("X-Model-Version").Single());

        var json = await _client.PostJson($"/api/v1/models/{TestModels.LendingClub}/score/batch", new JsonObject { ["applicants"] = new JsonArray([.. rows.Select(r => r.DeepClone())]) });
        var expected = (await json.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!.Results;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(rows.Count + 1, lines.Length);
        var pd = Array.IndexOf(lines[0].TrimEnd('\r').Split(','), "probabilityOfDefault");
        Assert.Equal(names.Count, pd);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[i].ProbabilityOfDefault, double.Parse(lines[i + 1].Split(',')[pd], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_naming_it_on_every_transport()
    {
        var problem = await (await _client.PostJson("/api/v1/models/no-such-model/score", Http.ApplicantJson())).AssertProblem(404);
        Assert.Contains("no-such-model", (string?)problem["detail"], StringComparison.Ordinal);
        await (await _client.PostJson("/api/v1/models/no-such-model/score/batch", new JsonObject { ["applicants"] = new JsonArray() })).AssertProblem(404);
        await (await _client.GetAsync("/api/v1/models/no-such-model")).AssertProblem(404);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/v2/models/no-such-model")).StatusCode);
        var grpc = await Assert.ThrowsAsync<RpcException>(() => fixture.Grpc.ModelMetadataAsync(new V2.ModelMetadataRequest { Name = "no-such-model" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, grpc.StatusCode);
    }

    [Fact]
    public async Task The_repository_api_needs_the_admin_key_and_answers_as_the_extension_says()
    {
        await (await _client.PostAsync("/v2/repository/index", null)).AssertProblem(401);
        var wrongKey = await fixture.Keyed.PostAsync("/v2/repository/index", null);
        Assert.Contains("admin key", (string?)(await wrongKey.AssertProblem(401))["detail"], StringComparison.Ordinal);

        // The index: an array of {name, version, state, reason}.
        var index = await Index();
        Assert.Equal([(TestModels.German, "1", "READY"), (TestModels.LendingClub, "1", "READY")], index.Select(e => ((string)e!["name"]!, (string)e["version"]!, (string)e["state"]!)));
        Assert.All(index, e => Assert.Equal("", (string)e!["reason"]!));

        // Load of an unchanged model: 200 with an empty body; of one the repository lacks: 400 {"error"}.
        var unchanged = await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.German}/load", null);
        Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode);
        Assert.Equal("", await unchanged.Content.ReadAsStringAsync());
        Assert.Contains("no-such-model", await Error(await fixture.Admin.PostAsync("/v2/repository/models/no-such-model/load", null)), StringComparison.Ordinal);

        // The default model cannot be unloaded (/api/v1/score needs it); another can, and comes back with a load.
        Assert.Contains("default model", await Error(await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.German}/unload", null)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.LendingClub}/unload", null)).StatusCode);
        try
        {
            await (await _client.PostJson($"/api/v1/models/{TestModels.LendingClub}/score", Http.ApplicantJson(TestModels.LendingClub))).AssertProblem(404);
            Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/v2/models/{TestModels.LendingClub}/ready")).StatusCode);
            Assert.Contains(await Index(), e => (string)e!["name"]! == TestModels.LendingClub && (string)e["state"]! == "UNAVAILABLE" && (string)e["reason"]! == "not loaded");
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.LendingClub}/load", null)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson($"/api/v1/models/{TestModels.LendingClub}/score", Http.ApplicantJson(TestModels.LendingClub))).StatusCode);
    }

    [Fact]
    public async Task A_corrupted_version_is_refused_with_its_reason_and_the_serving_one_keeps_serving_under_load()
    {
        var serving = TestModels.SidecarVersion(TestModels.German);
        var load = ScoringLoad.Start(_client, clients: 4);
        try
        {
            // An edited card (the file's content hash no longer matches), then a real model whose golden rows are another's.
            var edited = ModelLoadTests.EditedCard(File.ReadAllBytes(Path.Combine(RepositoryServer.Shipped(TestModels.German), "model.onnx")), "\"costFalseNegative\":5", "\"costFalseNegative\":9");
            fixture.PlaceVersion(TestModels.German, 2, RepositoryServer.Shipped(TestModels.German), edited);
            await Task.Delay(200);
            Assert.Contains("the file was edited after export", await Error(await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.German}/load", null)), StringComparison.Ordinal);
            Assert.Contains(await Index(), e => (string)e!["version"]! == "2" && (string)e["state"]! == "UNAVAILABLE" && ((string)e["reason"]!).Contains("edited after export", StringComparison.Ordinal));

            var wrongGolden = fixture.PlaceVersion(TestModels.German, 3, RepositoryServer.Shipped(TestModels.German, "challenger"));
            File.Copy(Path.Combine(RepositoryServer.Shipped(TestModels.German), "golden.json"), Path.Combine(wrongGolden, "golden.json"), overwrite: true);
            await Task.Delay(200);
            Assert.Contains("golden row", await Error(await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.German}/load", null)), StringComparison.Ordinal);
        }
        finally
        {
            fixture.RemoveVersion(TestModels.German, 3);
            fixture.RemoveVersion(TestModels.German, 2);
        }

        // The clients keep going a moment after the refusals, then: every answer, during and after, by version 1.
        await Task.Delay(500);
        var answers = await load.StopAsync();
        Assert.True(answers.Count >= 8, $"only {answers.Count} answers under load");
        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, $"{a.Path}: {(int)a.Status}"));
        Assert.All(answers, a => Assert.Equal(serving, a.Version));
        Assert.Equal(serving, (await _client.GetFromJsonAsync<ModelList>("/api/v1/models", Http.Json))!.Models.Single(m => m.Name == TestModels.German).Version);

        // Counted and logged, one line per refusal, naming the model and why.
        var metrics = await _client.GetStringAsync("/metrics");
        Assert.Matches($"creditrisk_model_loads_total{{model=\"{TestModels.German}\",outcome=\"refused\"}} [2-9]", metrics);
        Assert.Contains("edited after export", fixture.Server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swaps_under_load_drop_no_request_and_every_answer_matches_its_record()
    {
        var first = TestModels.SidecarVersion(TestModels.German);
        var second = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryServer.Shipped(TestModels.German, "challenger"), "model.json")))
            .RootElement.GetProperty("modelVersion").GetString()!;
        Assert.NotEqual(first, second);
        var swapsBefore = Metric(await _client.GetStringAsync("/metrics"), $"creditrisk_model_swaps_total{{model=\"{TestModels.German}\"}}");
        var load = ScoringLoad.Start(_client, clients: 6);
        const int RoundTrips = 4;
        try
        {
            for (var i = 0; i < RoundTrips; i++)
            {
                // Version 2 (the shipped challenger: another German Credit model) in, then out again: back to version 1.
                fixture.PlaceVersion(TestModels.German, 2, RepositoryServer.Shipped(TestModels.German, "challenger"));
                Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.German}/load", null)).StatusCode);
                await Task.Delay(250);
                fixture.RemoveVersion(TestModels.German, 2);
                Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.German}/load", null)).StatusCode);
                await Task.Delay(250);
            }
        }
        finally
        {
            if (Directory.Exists(Path.Combine(fixture.Repository, TestModels.German, "2")))
            {
                fixture.RemoveVersion(TestModels.German, 2);
                await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.German}/load", null);
            }
        }

        var answers = await load.StopAsync();
        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, $"{a.Path}: {(int)a.Status}"));
        Assert.All(answers, a => Assert.Contains(a.Version, new[] { first, second }));
        Assert.Contains(answers, a => a.Version == second);
        Assert.Equal(first, answers[^1].Version);

        // Every decision's record holds the version of the response it was written for.
        foreach (var answer in answers.Where(a => a.DecisionId is not null).Take(400))
        {
            var record = (await fixture.Keyed.GetFromJsonAsync<DecisionRecord>($"/api/v1/decisions/{answer.DecisionId}", Http.Json))!;
            Assert.Equal(answer.Version, record.ModelVersion);
        }

        var metrics = await _client.GetStringAsync("/metrics");
        Assert.Equal(swapsBefore + (2 * RoundTrips), Metric(metrics, $"creditrisk_model_swaps_total{{model=\"{TestModels.German}\"}}"));
        Assert.Contains($"creditrisk_model_info{{model=\"{TestModels.German}\",version=\"{first}\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain($"creditrisk_model_info{{model=\"{TestModels.German}\",version=\"{second}\"", metrics, StringComparison.Ordinal);
        // Every replaced version but the pinned first one drained and had its session disposed.
        Assert.True(Metric(metrics, $"creditrisk_model_drain_seconds_count{{model=\"{TestModels.German}\"}}") >= (2 * RoundTrips) - 1);
    }

    private async Task<JsonArray> Index()
    {
        var response = await fixture.Admin.PostAsync("/v2/repository/index", Http.JsonContent("{}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
    }

    /// <summary>The extension's error: a 400 with {"error": …}.</summary>
    private static async Task<string> Error(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        return (string)JsonNode.Parse(text)!["error"]!;
    }

    private static double Metric(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Clients scoring German Credit without pause over three routes (the default model's /api/v1/score, the batch by name
/// and /v2 infer by name), each answer kept with its status, model version and decision id.
/// </summary>
internal sealed class ScoringLoad
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task<List<Answer>>> _clients;

    private ScoringLoad(HttpClient client, int clients)
    {
        var applicant = Http.ApplicantJson();
        _clients = [.. Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var answers = new List<Answer>();
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                answers.Add(((c + i) % 3) switch
                {
                    0 => await One(client, applicant),
                    1 => await Batch(client, applicant),
                    _ => await V2(client, applicant),
                });
            }

            return answers;
        }))];
    }

    public sealed record Answer(string Path, HttpStatusCode Status, string? Version, Guid? DecisionId);

    public static ScoringLoad Start(HttpClient client, int clients) => new(client, clients);

    /// <summary>Stops the clients; every answer, in the order each client got them (the last one's last).</summary>
    public async Task<List<Answer>> StopAsync()
    {
        await _stop.CancelAsync();
        var all = new List<Answer>();
        foreach (var answers in await Task.WhenAll(_clients))
        {
            all.AddRange(answers);
        }

        _stop.Dispose();
        return all;
    }

    private static async Task<Answer> One(HttpClient client, JsonObject applicant)
    {
        using var response = await client.PostJson("/api/v1/score", applicant.DeepClone());
        var result = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<ScoreResult>(Http.Json) : null;
        return new("/api/v1/score", response.StatusCode, result?.ModelVersion, result?.DecisionId);
    }

    private static async Task<Answer> Batch(HttpClient client, JsonObject applicant)
    {
        var path = $"/api/v1/models/{TestModels.German}/score/batch";
        // Long enough (a few hundred rows, their reasons included) that swaps land while batches are in flight.
        using var response = await client.PostJson(path, new JsonObject { ["applicants"] = new JsonArray([.. Enumerable.Range(0, 300).Select(_ => (JsonNode)applicant.DeepClone())]) });
        var result = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json) : null;
        Assert.True(result is null || result.Results.All(r => r.ModelVersion == result.ModelVersion), "a batch answered by two versions");
        return new(path, response.StatusCode, result?.ModelVersion, result?.Results[^1].DecisionId);
    }

    private static async Task<Answer> V2(HttpClient client, JsonObject applicant)
    {
        var path = $"/v2/models/{TestModels.German}/infer";
        using var response = await client.PostJson(path, OpenInferenceTests.InferRequest([applicant]));
        var version = response.IsSuccessStatusCode ? (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["model_version"] : null;
        return new(path, response.StatusCode, version, null);
    }
}
