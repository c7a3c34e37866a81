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
public sealed class RepositoryServer : IAsyncLifetime
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

    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        PlaceVersion(TestModels.German, 1, Shipped(TestModels.German));
        PlaceVersion(TestModels.LendingClub, 1, Shipped(TestModels.LendingClub));
        var grpcPort = ServerProcess.FreePort();
        Server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
        {
            ["Model__Repository"] = Repository,
            ["Model__Default"] = TestModels.German,
            ["Inference__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["ApiKey__Key"] = Key,
            ["ApiKey__AdminKey"] = AdminKey,
        });
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Grpc = new V2.GRPCInferenceService.GRPCInferenceServiceClient(_channel);
        Keyed = new HttpClient { BaseAddress = Server.BaseAddress };
        Keyed.DefaultRequestHeaders.Add("X-API-Key", Key);
        Admin = new HttpClient { BaseAddress = Server.BaseAddress };
        Admin.DefaultRequestHeaders.Add("X-API-Key", AdminKey);
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
        _channel.Dispose();
        Keyed.Dispose();
        Admin.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(Repository, recursive: true);
    }
}

/// <summary>Several models in one process, each served by name on every transport (issue 29 §1).</summary>
public sealed class ModelRepositoryTests(RepositoryServer fixture) : IClassFixture<RepositoryServer>
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
        Assert.Equal(rows[0].Where(p => p.Value is not null).Select(p => p.Key).Order(StringComparer.Ordinal),
            record.Applicant.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var metrics = await _client.GetStringAsync("/metrics");
        Assert.Contains($"creditrisk_model_info{{model=\"{dataset}\",version=\"{version}\"", metrics, StringComparison.Ordinal);
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
}
