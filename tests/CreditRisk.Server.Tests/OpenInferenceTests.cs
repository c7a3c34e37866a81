using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Testing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using V2 = global::Inference;

namespace CreditRisk.Server.Tests;

/// <summary>The real server as a process with its gRPC port open, shared by the Open Inference Protocol tests.</summary>
public sealed class OpenInferenceServer : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public V2.GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var grpcPort = ServerProcess.FreePort();
        Server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string> { ["Inference__GrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Grpc = new V2.GRPCInferenceService.GRPCInferenceServiceClient(Channel);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// The Open Inference Protocol (KServe V2) against the spec's own documents: every REST response is validated with
/// the schemas of contracts/open-inference/open_inference_rest.yaml, gRPC is called through the client generated from
/// its .proto, and V2 batches are compared with /api/v1/score/batch bit for bit.
/// </summary>
public sealed class OpenInferenceTests(OpenInferenceServer fixture) : IClassFixture<OpenInferenceServer>
{
    private const string Model = TestModels.German;
    private readonly HttpClient _client = fixture.Server.Client;

    [Fact]
    public void The_schema_check_refuses_what_the_protocol_refuses()
    {
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => OpenInferenceSchemas.AssertValid("""{"name": "x", "version": "1"}""", "metadata_server_response"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => OpenInferenceSchemas.AssertValid(
            """{"model_name": "m", "outputs": [{"name": "pd", "shape": [1], "data": [0.5]}]}""", "inference_response"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => OpenInferenceSchemas.AssertValid(
            """{"model_name": "m", "outputs": [{"name": "pd", "datatype": "FP32", "shape": [1], "data": [null]}]}""", "inference_response"));
        OpenInferenceSchemas.AssertValid("""{"model_name": "m", "outputs": [{"name": "pd", "datatype": "FP32", "shape": [1, 1], "data": [[0.5]]}]}""", "inference_response");
    }

    [Fact]
    public async Task Health_and_metadata_follow_the_protocol()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v2/models/{Model}/ready")).StatusCode);

        var server = await GetValid("/v2", "metadata_server_response");
        Assert.Equal("creditrisk", (string)server["name"]!);

        var metadata = await GetValid($"/v2/models/{Model}", "metadata_model_response");
        var version = (string)metadata["versions"]![0]!;
        Assert.Equal((await _client.GetFromJsonAsync<JsonObject>("/api/v1/model"))!["version"]!.GetValue<string>(), version);
        var spec = TestModels.Spec(Model);
        Assert.Equal(
            spec.Inputs.Select(f => (f.Name, f.IsCategory ? "BYTES" : "FP32")),
            metadata["inputs"]!.AsArray().Select(t => ((string)t!["name"]!, (string)t["datatype"]!)));
        Assert.All(metadata["inputs"]!.AsArray(), t => Assert.Equal("[-1,1]", t!["shape"]!.ToJsonString()));
        // The shipped files carry the decision (docs/economics.md): its outputs follow the three of every model.
        Assert.Equal(["probability_of_default", "decision", "reasons", "threshold", "expected_profit", "loss", "margin", "points"],
            metadata["outputs"]!.AsArray().Select(t => (string)t!["name"]!));

        // Each model route also under /versions/{version}; another version or model is a 404 in the error object.
        await GetValid($"/v2/models/{Model}/versions/{version}", "metadata_model_response");
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v2/models/{Model}/versions/{version}/ready")).StatusCode);
        await AssertError(await _client.GetAsync($"/v2/models/{Model}/versions/000000000000"), HttpStatusCode.NotFound, "metadata_model_error_response", "000000000000");
        await AssertError(await _client.GetAsync("/v2/models/other-model"), HttpStatusCode.NotFound, "metadata_model_error_response", "other-model");
    }

    [Fact]
    public async Task A_v2_batch_scores_bit_for_bit_like_the_v1_batch()
    {
        // Every REST-valid golden row: training rows, in-contract edges and rows with a missing value (null).
        var rows = Golden.Load(Model).Rows.Where(r => r.Kind is "data" or "edge" or "missing").Take(600).Select(r => r.Input).ToList();
        var v1 = await _client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray([.. rows.Select(r => r.DeepClone())]) });
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        var expected = (await v1.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!.Results;

        var response = await PostValid($"/v2/models/{Model}/infer", InferRequest(rows, id: "batch-1"));
        Assert.Equal("batch-1", (string)response["id"]!);
        Assert.Equal(Model, (string)response["model_name"]!);
        var pd = Output(response, "probability_of_default", "FP32", rows.Count);
        var decision = Output(response, "decision", "BYTES", rows.Count);
        var reasons = Output(response, "reasons", "BYTES", rows.Count);
        Assert.Contains(expected, r => r.Decision == Decisions.Reject);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i].ProbabilityOfDefault), BitConverter.DoubleToInt64Bits((double)pd[i]!));
            Assert.Equal(expected[i].Decision, (string)decision[i]!);
            Assert.Equal(JsonSerializer.Serialize(expected[i].Reasons, Http.Json), JsonNode.Parse((string)reasons[i]!)!.ToJsonString(Http.Json));
        }
    }

    [Fact]
    public async Task Requested_outputs_and_nested_data_and_integer_tensors_are_honoured()
    {
        var rows = Golden.Load(Model).Rows.Where(r => r.Kind == "data").Take(3).Select(r => r.Input).ToList();
        var request = InferRequest(rows, integers: true);
        // The protocol allows nested data: [[a], [b], [c]] for shape [3, 1].
        foreach (var input in request["inputs"]!.AsArray())
        {
            input!["data"] = new JsonArray([.. input["data"]!.AsArray().Select(v => (JsonNode)new JsonArray(v?.DeepClone()))]);
        }

        request["outputs"] = new JsonArray(new JsonObject { ["name"] = "decision" });
        var response = await PostValid($"/v2/models/{Model}/infer", request);
        Assert.Equal(["decision"], response["outputs"]!.AsArray().Select(o => (string)o!["name"]!));
        var v1 = (await (await _client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray([.. rows.Select(r => r.DeepClone())]) }))
            .Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!;
        Assert.Equal(v1.Results.Select(r => r.Decision), Output(response, "decision", "BYTES", 3).Select(d => (string)d!));
    }

    [Theory]
    [InlineData("fractional", "durationMonths", "whole number")]
    [InlineData("unknown-category", "checkingAccount", "must be one of")]
    [InlineData("missing-input", "checkingAccount", "is required")]
    [InlineData("wrong-datatype", "checkingAccount", "datatype must be BYTES")]
    [InlineData("wrong-shape", "durationMonths", "shape")]
    [InlineData("unknown-input", "favouriteColour", "unknown inputs are rejected")]
    [InlineData("unknown-output", "confidence", "not an output")]
    public async Task A_bad_tensor_is_a_400_error_object_naming_the_input_and_the_rule(string fault, string field, string rule)
    {
        var request = InferRequest([Golden.Load(Model).Rows.First(r => r.Kind == "data").Input]);
        var inputs = request["inputs"]!.AsArray();
        JsonNode Input(string name) => inputs.First(i => (string)i!["name"]! == name)!;
        switch (fault)
        {
            case "fractional":
                Input(field)["data"] = new JsonArray(6.5);
                break;
            case "unknown-category":
                Input(field)["data"] = new JsonArray("A99");
                break;
            case "missing-input":
                inputs.Remove(Input(field));
                break;
            case "wrong-datatype":
                Input(field)["datatype"] = "FP32";
                break;
            case "wrong-shape":
                Input(field)["shape"] = new JsonArray(2, 1);
                break;
            case "unknown-input":
                inputs.Add(new JsonObject { ["name"] = field, ["shape"] = new JsonArray(1, 1), ["datatype"] = "BYTES", ["data"] = new JsonArray("blue") });
                break;
            default:
                request["outputs"] = new JsonArray(new JsonObject { ["name"] = field });
                break;
        }

        var response = await _client.PostJson($"/v2/models/{Model}/infer", request);
        var error = await AssertError(response, HttpStatusCode.BadRequest, "inference_error_response", $"'{field}'");
        Assert.Contains(rule, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1, 2]", "JSON object")]
    [InlineData("{\"inputs\": [], \"extra\": 1}", "'extra'")]
    [InlineData("{\"outputs\": []}", "'inputs' is required")]
    [InlineData("{\"inputs\": [{\"name\": \"age\"}]}", "inputs[0].shape is required")]
    [InlineData("{\"inputs\": [", "not valid JSON")]
    public async Task A_malformed_request_is_a_400_error_object(string body, string expected)
    {
        var error = await AssertError(await _client.PostJson($"/v2/models/{Model}/infer", body), HttpStatusCode.BadRequest, "inference_error_response", expected);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_error_object_and_server_metadata_answers_with_a_trailing_slash()
    {
        var response = await _client.PostAsync($"/v2/models/{Model}/infer", new StringContent("inputs", System.Text.Encoding.UTF8, "text/plain"));
        await AssertError(response, HttpStatusCode.UnsupportedMediaType, "inference_error_response", "Content-Type: application/json");
        // The protocol's document writes server metadata as GET /v2/.
        await GetValid("/v2/", "metadata_server_response");
    }

    [Fact]
    public async Task Grpc_serves_health_metadata_and_the_rest_pds()
    {
        var grpc = fixture.Grpc;
        Assert.True((await grpc.ServerLiveAsync(new V2.ServerLiveRequest())).Live);
        Assert.True((await grpc.ServerReadyAsync(new V2.ServerReadyRequest())).Ready);
        Assert.True((await grpc.ModelReadyAsync(new V2.ModelReadyRequest { Name = Model })).Ready);
        Assert.Equal("creditrisk", (await grpc.ServerMetadataAsync(new V2.ServerMetadataRequest())).Name);
        var metadata = await grpc.ModelMetadataAsync(new V2.ModelMetadataRequest { Name = Model });
        var rest = await GetValid($"/v2/models/{Model}", "metadata_model_response");
        Assert.Equal(rest["inputs"]!.AsArray().Select(t => (string)t!["name"]!), metadata.Inputs.Select(t => t.Name));
        Assert.Equal(rest["inputs"]!.AsArray().Select(t => (string)t!["datatype"]!), metadata.Inputs.Select(t => t.Datatype));

        var rows = Golden.Load(Model).Rows.Where(r => r.Kind is "data" or "edge").Take(200).Select(r => r.Input).ToList();
        var restPds = Output(await PostValid($"/v2/models/{Model}/infer", InferRequest(rows)), "probability_of_default", "FP32", rows.Count)
            .Select(v => (float)(double)v!).ToList();

        var typed = await grpc.ModelInferAsync(GrpcRequest(rows, raw: false));
        var raw = await grpc.ModelInferAsync(GrpcRequest(rows, raw: true));
        foreach (var response in new[] { typed, raw })
        {
            var pd = response.Outputs.Single(o => o.Name == "probability_of_default");
            Assert.Equal("FP32", pd.Datatype);
            Assert.Equal([rows.Count, 1], pd.Shape);
            Assert.Equal(restPds.Select(BitConverter.SingleToInt32Bits), pd.Contents.Fp32Contents.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(rows.Count, response.Outputs.Single(o => o.Name == "decision").Contents.BytesContents.Count);
        }
    }

    [Fact]
    public async Task Grpc_refuses_a_bad_tensor_with_invalid_argument_naming_it()
    {
        var row = Golden.Load(Model).Rows.First(r => r.Kind == "data").Input;
        var request = GrpcRequest([row], raw: false);
        request.Inputs.Single(i => i.Name == "durationMonths").Contents.Fp32Contents[0] = 6.5f;
        request.Inputs.Single(i => i.Name == "checkingAccount").Contents.BytesContents[0] = ByteString.CopyFromUtf8("A99");
        var bad = await Assert.ThrowsAsync<RpcException>(() => fixture.Grpc.ModelInferAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("'durationMonths'", bad.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("'checkingAccount'", bad.Status.Detail, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => fixture.Grpc.ModelInferAsync(new V2.ModelInferRequest { ModelName = "other" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_request_id_with_a_control_character_is_refused_over_v2_and_grpc()
    {
        List<JsonObject> rows = [Golden.Load(Model).Rows.First(r => r.Kind == "data").Input];
        await AssertError(await _client.PostJson($"/v2/models/{Model}/infer", InferRequest(rows, id: "req\u0000id")),
            HttpStatusCode.BadRequest, "inference_error_response", Contracts.FreeText.Rule);

        var request = GrpcRequest(rows, raw: false);
        request.Id = "req\u001bid";
        var bad = await Assert.ThrowsAsync<RpcException>(() => fixture.Grpc.ModelInferAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains(Contracts.FreeText.Rule, bad.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V2_and_grpc_scores_are_counted_in_the_scoring_metrics()
    {
        var before = await Count();
        var rows = Golden.Load(Model).Rows.Where(r => r.Kind == "data").Take(2).Select(r => r.Input).ToList();
        await PostValid($"/v2/models/{Model}/infer", InferRequest(rows));
        await fixture.Grpc.ModelInferAsync(GrpcRequest(rows, raw: false));
        var after = await Count();
        Assert.Equal(before.V2 + 1, after.V2);
        Assert.Equal(before.Grpc + 1, after.Grpc);
        Assert.Equal(before.Scored + 4, after.Scored);

        async Task<(double V2, double Grpc, double Scored)> Count()
        {
            var metrics = await _client.GetStringAsync("/metrics");
            double Sum(string pattern) => System.Text.RegularExpressions.Regex.Matches(metrics, pattern, System.Text.RegularExpressions.RegexOptions.Multiline)
                .Sum(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            return (
                Sum(@"^creditrisk_scoring_duration_seconds_count\{model=""[^""]+"",endpoint=""v2""\} (\S+)$"),
                Sum(@"^creditrisk_scoring_duration_seconds_count\{model=""[^""]+"",endpoint=""grpc""\} (\S+)$"),
                Sum(@"^creditrisk_scores_total\{model=""[^""]+"",decision=""\w+""\} (\S+)$"));
        }
    }

    [Fact]
    public async Task A_batch_over_the_limit_is_a_413_error_object()
    {
        var row = Golden.Load(Model).Rows.First(r => r.Kind == "data").Input;
        var response = await _client.PostJson($"/v2/models/{Model}/infer", InferRequest([.. Enumerable.Repeat(row, 1001)]));
        var error = await AssertError(response, HttpStatusCode.RequestEntityTooLarge, "inference_error_response", "at most 1000 rows");
        Assert.Contains("Scoring:MaxBatchSize", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_is_rate_limited_per_client_like_the_api()
    {
        var grpcPort = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
        {
            ["Inference__GrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Limits__RateLimitPermits"] = "2",
            ["Limits__RateLimitWindowSeconds"] = "60",
        });
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var grpc = new V2.GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new V2.ModelMetadataRequest { Name = Model };
        await grpc.ModelMetadataAsync(request);
        await grpc.ModelMetadataAsync(request);
        var refused = await Assert.ThrowsAsync<RpcException>(() => grpc.ModelMetadataAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("429", refused.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>An inference_request with one [N, 1] tensor per attribute the rows carry (null where a row leaves it out).</summary>
    internal static JsonObject InferRequest(List<JsonObject> rows, string? id = null, bool integers = false, string dataset = Model)
    {
        var spec = TestModels.Spec(dataset);
        var names = rows.SelectMany(r => r.Select(p => p.Key)).Distinct().ToList();
        var inputs = new JsonArray();
        foreach (var name in names)
        {
            var feature = spec.Find(name)!;
            inputs.Add(new JsonObject
            {
                ["name"] = name,
                ["shape"] = new JsonArray(rows.Count, 1),
                ["datatype"] = feature.IsCategory ? "BYTES" : integers && feature.Kind == FeatureKind.Integer ? "INT64" : "FP32",
                ["data"] = new JsonArray([.. rows.Select(r => r[name]?.DeepClone())]),
            });
        }

        var request = new JsonObject { ["inputs"] = inputs };
        if (id is not null)
        {
            request["id"] = id;
        }

        return request;
    }

    /// <summary>The same tensors for gRPC, in the typed contents or as Triton's clients send them (raw_input_contents).</summary>
    internal static V2.ModelInferRequest GrpcRequest(List<JsonObject> rows, bool raw, string dataset = Model)
    {
        var spec = TestModels.Spec(dataset);
        var request = new V2.ModelInferRequest { ModelName = dataset };
        foreach (var feature in spec.Inputs)
        {
            var tensor = new V2.ModelInferRequest.Types.InferInputTensor { Name = feature.Name, Datatype = feature.IsCategory ? "BYTES" : "FP32", Shape = { rows.Count, 1 } };
            var values = rows.Select(r => r[feature.Name]!).ToList();
            if (raw)
            {
                using var bytes = new MemoryStream();
                using var writer = new BinaryWriter(bytes);
                foreach (var value in values)
                {
                    if (feature.IsCategory)
                    {
                        var text = System.Text.Encoding.UTF8.GetBytes((string)value!);
                        writer.Write(text.Length);
                        writer.Write(text);
                    }
                    else
                    {
                        writer.Write((float)(double)value);
                    }
                }

                writer.Flush();
                request.RawInputContents.Add(ByteString.CopyFrom(bytes.ToArray()));
            }
            else
            {
                tensor.Contents = new V2.InferTensorContents();
                if (feature.IsCategory)
                {
                    tensor.Contents.BytesContents.AddRange(values.Select(v => ByteString.CopyFromUtf8((string)v!)));
                }
                else
                {
                    tensor.Contents.Fp32Contents.AddRange(values.Select(v => (float)(double)v));
                }
            }

            request.Inputs.Add(tensor);
        }

        return request;
    }

    internal static JsonArray Output(JsonObject response, string name, string datatype, int rows)
    {
        var output = response["outputs"]!.AsArray().Single(o => (string)o!["name"]! == name)!;
        Assert.Equal(datatype, (string)output["datatype"]!);
        Assert.Equal($"[{rows},1]", output["shape"]!.ToJsonString());
        var data = output["data"]!.AsArray();
        Assert.Equal(rows, data.Count);
        return data;
    }

    private async Task<JsonObject> GetValid(string path, string schema)
    {
        var response = await _client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return OpenInferenceSchemas.AssertValid(text, schema);
    }

    private async Task<JsonObject> PostValid(string path, JsonObject body)
    {
        var response = await _client.PostJson(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return OpenInferenceSchemas.AssertValid(text, "inference_response");
    }

    private static async Task<string> AssertError(HttpResponseMessage response, HttpStatusCode status, string schema, string expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = (string)OpenInferenceSchemas.AssertValid(text, schema)["error"]!;
        Assert.Contains(expected, error, StringComparison.Ordinal);
        return error;
    }
}

/// <summary>The component schemas of the protocol's OpenAPI document (contracts/open-inference/open_inference_rest.yaml) as JSON Schema.</summary>
internal static class OpenInferenceSchemas
{
    private static readonly Lazy<JsonNode> Components = new(() =>
    {
        var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build()
            .Deserialize<object>(File.ReadAllText(Path.Combine(Paths.RepoRoot, "contracts", "open-inference", "open_inference_rest.yaml")));
        var schemas = ToJson(yaml)!["components"]!["schemas"]!;
        // OpenAPI 3.0 references components; as one JSON Schema document they are $defs.
        return JsonNode.Parse(schemas.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal))!;
    });

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonSchema> Built = new();

    public static JsonObject AssertValid(string json, string schemaName)
    {
        var schema = Built.GetOrAdd(schemaName, name =>
        {
            Assert.NotNull(Components.Value[name]);
            return JsonSchema.FromText(new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$id"] = $"https://creditrisk.test/open-inference/{name}",
                ["$defs"] = Components.Value.DeepClone(),
                ["$ref"] = $"#/$defs/{name}",
            }.ToJsonString());
        });
        using var document = JsonDocument.Parse(json);
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, $"{schemaName}: {JsonSerializer.Serialize(result)}\n{json}");
        return JsonNode.Parse(json)!.AsObject();
    }

    // YAML scalars stay strings: the schema keywords used (type, required, $ref, title) are all strings or lists of them.
    private static JsonNode? ToJson(object? yaml) => yaml switch
    {
        IDictionary<object, object> map => new JsonObject(map.Select(e => KeyValuePair.Create((string)e.Key, ToJson(e.Value)))),
        IList<object> list => new JsonArray([.. list.Select(ToJson)]),
        null => null,
        var scalar => JsonValue.Create(scalar.ToString()),
    };
}

/// <summary>The Lending Club model (ids, protected attributes, missing values) over V2 REST: the same scores as v1, bit for bit.</summary>
[Collection(LendingClubCollection.Name)]
public sealed class LendingClubOpenInferenceTests(LendingClubApp app)
{
    private const string Dataset = TestModels.LendingClub;
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task A_v2_batch_scores_bit_for_bit_like_the_v1_batch()
    {
        var rows = Golden.Load(Dataset).Rows.Where(r => r.Kind is "data" or "edge" or "missing").Take(400).Select(r => r.Input).ToList();
        var v1 = await _client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray([.. rows.Select(r => r.DeepClone())]) });
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        var expected = (await v1.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!.Results;

        var metadata = OpenInferenceSchemas.AssertValid(await _client.GetStringAsync($"/v2/models/{Dataset}"), "metadata_model_response");
        Assert.Equal(TestModels.Spec(Dataset).Inputs.Select(f => f.Name), metadata["inputs"]!.AsArray().Select(t => (string)t!["name"]!));

        var response = await _client.PostJson($"/v2/models/{Dataset}/infer", OpenInferenceTests.InferRequest(rows, dataset: Dataset));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var body = OpenInferenceSchemas.AssertValid(text, "inference_response");
        var pd = OpenInferenceTests.Output(body, "probability_of_default", "FP32", rows.Count);
        var decision = OpenInferenceTests.Output(body, "decision", "BYTES", rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected[i].ProbabilityOfDefault), BitConverter.DoubleToInt64Bits((double)pd[i]!));
            Assert.Equal(expected[i].Decision, (string)decision[i]!);
        }
    }
}

/// <summary>The Open Inference Protocol's infer is bounded like /api/v1/score/batch: its endpoints take the batch lane.</summary>
[Collection(AppCollection.Name)]
public sealed class OpenInferenceCapacityTests(SharedApp app)
{
    [Fact]
    public void The_batches_and_rest_and_grpc_infer_and_only_they_take_the_batch_lane()
    {
        var endpoints = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .ToList();
        var inBatchLane = endpoints
            .Where(e => e.Metadata.GetMetadata<CreditRisk.Server.Api.BatchLane>() is not null)
            .Select(e => e.RoutePattern.RawText)
            .Order()
            .ToList();
        Assert.Equal(
            ["/api/v1/models/{name}/score/batch", "/api/v1/score/batch", "/inference.GRPCInferenceService/ModelInfer", "/v2/models/{name}/infer", "/v2/models/{name}/versions/{version}/infer"],
            inBatchLane);
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/inference.GRPCInferenceService/ServerLive");
    }
}
