using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using V2 = global::Inference;

namespace CreditRisk.Server.Tests;

/// <summary>
/// The Model Repository extension (Triton's extension_model_repository.md) as its document says, over real HTTP and
/// real gRPC against the real repository server: the metadata's extensions, the index and its "ready" filter, load and
/// unload with their parameters, and the error shapes. Same fixture (and so the same process) as
/// <see cref="ModelRepositoryTests"/>; each test puts the repository back as it found it.
/// </summary>
public sealed partial class ModelRepositoryTests
{
    private static readonly Metadata AdminKey = new() { { "x-api-key", RepositoryServer.AdminKey } };

    [Fact]
    public async Task Server_metadata_reports_the_model_repository_extension_and_its_unload_dependents_component_over_rest_and_grpc()
    {
        var rest = JsonNode.Parse(await _client.GetStringAsync("/v2"))!;
        Assert.Equal(["model_repository", "model_repository(unload_dependents)"], rest["extensions"]!.AsArray().Select(e => (string)e!));
        var grpc = await fixture.Grpc.ServerMetadataAsync(new V2.ServerMetadataRequest());
        Assert.Equal(["model_repository", "model_repository(unload_dependents)"], grpc.Extensions);
    }

    [Fact]
    public async Task The_index_lists_a_refused_version_as_unavailable_and_ready_true_lists_only_the_ready_models_on_both_transports()
    {
        var edited = ModelLoadTests.EditedCard(File.ReadAllBytes(Path.Combine(RepositoryServer.Shipped(TestModels.German), "model.onnx")), "\"costFalseNegative\":5", "\"costFalseNegative\":9");
        fixture.PlaceVersion(TestModels.German, 2, RepositoryServer.Shipped(TestModels.German), edited);
        try
        {
            // Refused over gRPC: FAILED_PRECONDITION with the reason, and version 1 keeps serving.
            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                fixture.Grpc.RepositoryModelLoadAsync(new V2.RepositoryModelLoadRequest { ModelName = TestModels.German }, AdminKey).ResponseAsync);
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Contains("the file was edited after export", refused.Status.Detail, StringComparison.Ordinal);
            Assert.Equal([TestModels.SidecarVersion(TestModels.German)], (await fixture.Grpc.ModelMetadataAsync(new V2.ModelMetadataRequest { Name = TestModels.German })).Versions);

            // Every entry, whatever body says "not only the ready ones": none, {}, {"ready": false}, or sent as curl -d sends it (form-encoded).
            (string, string, string)[] all = [(TestModels.German, "1", "READY"), (TestModels.German, "2", "UNAVAILABLE"), (TestModels.LendingClub, "1", "READY")];
            foreach (var body in new HttpContent?[] { null, Http.JsonContent("{}"), Http.JsonContent("{\"ready\": false}"), new StringContent("{\"ready\":false}", Encoding.UTF8, "application/x-www-form-urlencoded") })
            {
                Assert.Equal(all, Entries(await IndexOk(body)));
            }

            var unavailable = (await IndexOk(null)).Single(e => (string)e!["state"]! == "UNAVAILABLE")!;
            Assert.Contains("edited after export", (string)unavailable["reason"]!, StringComparison.Ordinal);
            Assert.All(await IndexOk(null), e => Assert.Equal(["name", "version", "state", "reason"], e!.AsObject().Select(p => p.Key)));

            (string, string, string)[] ready = [(TestModels.German, "1", "READY"), (TestModels.LendingClub, "1", "READY")];
            Assert.Equal(ready, Entries(await IndexOk(Http.JsonContent("{\"ready\": true}"))));
            Assert.Equal(ready, Entries(await IndexOk(new StringContent("{\"ready\":true}", Encoding.UTF8, "application/x-www-form-urlencoded"))));

            var grpcAll = await fixture.Grpc.RepositoryIndexAsync(new V2.RepositoryIndexRequest(), AdminKey);
            Assert.Equal(all, grpcAll.Models.Select(m => (m.Name, m.Version, m.State)));
            Assert.Contains("edited after export", grpcAll.Models.Single(m => m.State == "UNAVAILABLE").Reason, StringComparison.Ordinal);
            var grpcReady = await fixture.Grpc.RepositoryIndexAsync(new V2.RepositoryIndexRequest { Ready = true }, AdminKey);
            Assert.Equal(ready, grpcReady.Models.Select(m => (m.Name, m.Version, m.State)));
            Assert.All(grpcReady.Models, m => Assert.Equal("", m.Reason));

            // The one repository by its folder's name too; another name is NOT_FOUND.
            var named = await fixture.Grpc.RepositoryIndexAsync(new V2.RepositoryIndexRequest { RepositoryName = Path.GetFileName(fixture.Repository), Ready = true }, AdminKey);
            Assert.Equal(ready, named.Models.Select(m => (m.Name, m.Version, m.State)));
            var elsewhere = await Assert.ThrowsAsync<RpcException>(() =>
                fixture.Grpc.RepositoryIndexAsync(new V2.RepositoryIndexRequest { RepositoryName = "elsewhere" }, AdminKey).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, elsewhere.StatusCode);
        }
        finally
        {
            fixture.RemoveVersion(TestModels.German, 2);
        }

        Assert.Equal([(TestModels.German, "1", "READY"), (TestModels.LendingClub, "1", "READY")], Entries(await IndexOk(null)));
    }

    [Theory]
    [InlineData("index", "{", "not valid JSON")]
    [InlineData("index", "[]", "JSON object")]
    [InlineData("index", "{\"ready\": \"yes\"}", "'ready' must be a boolean")]
    [InlineData("index", "{\"ready\": null}", "'ready' must be a boolean")]
    [InlineData("index", "{\"ready\": true, \"readyOnly\": true}", "'readyOnly' is not a field")]
    [InlineData("load", "{\"parameters\": ", "not valid JSON")]
    [InlineData("load", "{\"parameters\": []}", "'parameters' must be an object")]
    [InlineData("load", "{\"parameters\": {\"config\": {}}}", "parameters.config must be a string, a number or a boolean")]
    [InlineData("load", "{\"parameters\": {\"config\": \"{\\\"max_batch_size\\\": 8}\"}}", "the card inside the model's ONNX file")]
    [InlineData("load", "{\"parameters\": {\"file:1/model.onnx\": \"AAAA\"}}", "'file:1/model.onnx' is not a parameter of load")]
    [InlineData("load", "{\"params\": {}}", "'params' is not a field")]
    [InlineData("unload", "{\"parameters\": {\"unload_dependents\": \"true\"}}", "'unload_dependents' must be a boolean")]
    [InlineData("unload", "{\"parameters\": {\"unload_dependent\": true}}", "'unload_dependent' is not a parameter of unload")]
    [InlineData("unload", "\"unload\"", "JSON object")]
    public async Task A_malformed_body_is_the_extensions_400_error_object_never_a_problem_or_a_500(string operation, string body, string expected)
    {
        var path = operation == "index" ? "/v2/repository/index" : $"/v2/repository/models/{TestModels.LendingClub}/{operation}";
        using var response = await fixture.Admin.PostAsync(path, Http.JsonContent(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["error"], error.Select(p => p.Key));
        Assert.Contains(expected, (string)error["error"]!, StringComparison.Ordinal);

        // Nothing was done: the model serves as before.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v2/models/{TestModels.LendingClub}/ready")).StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_error_object()
    {
        using var response = await fixture.Admin.PostAsync("/v2/repository/index", Http.JsonContent("{\"ready\": true" + new string(' ', 1024 * 1024) + "}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode} {text}");
        Assert.Contains("Limits:MaxRequestBodyBytes", (string)JsonNode.Parse(text)!["error"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unload_with_unload_dependents_and_load_with_empty_parameters_on_both_transports()
    {
        try
        {
            // REST as Triton's client sends it: unload always with unload_dependents, load with {"parameters": {}}.
            var unload = await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.LendingClub}/unload", Http.JsonContent("{\"parameters\": {\"unload_dependents\": true}}"));
            Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
            Assert.Equal("", await unload.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/v2/models/{TestModels.LendingClub}/ready")).StatusCode);
            Assert.Contains(await IndexOk(null), e => (string)e!["name"]! == TestModels.LendingClub && (string)e["state"]! == "UNAVAILABLE" && (string)e["reason"]! == "not loaded");
            Assert.DoesNotContain(await IndexOk(Http.JsonContent("{\"ready\": true}")), e => (string)e!["name"]! == TestModels.LendingClub);
            Assert.Contains("no model", await Error(await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.LendingClub}/unload", null)), StringComparison.Ordinal);

            var load = await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.LendingClub}/load", Http.JsonContent("{\"parameters\": {}}"));
            Assert.Equal(HttpStatusCode.OK, load.StatusCode);
            Assert.Equal("", await load.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v2/models/{TestModels.LendingClub}/ready")).StatusCode);

            // gRPC: the same calls and the same rules.
            var parameters = new V2.RepositoryModelUnloadRequest { ModelName = TestModels.LendingClub };
            parameters.Parameters["unload_dependents"] = new V2.ModelRepositoryParameter { BoolParam = false };
            await fixture.Grpc.RepositoryModelUnloadAsync(parameters, AdminKey);
            Assert.DoesNotContain((await fixture.Grpc.RepositoryIndexAsync(new V2.RepositoryIndexRequest { Ready = true }, AdminKey)).Models, m => m.Name == TestModels.LendingClub);
            var notLoaded = await Assert.ThrowsAsync<RpcException>(() => fixture.Grpc.ModelReadyAsync(new V2.ModelReadyRequest { Name = TestModels.LendingClub }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, notLoaded.StatusCode);
            await fixture.Grpc.RepositoryModelLoadAsync(new V2.RepositoryModelLoadRequest { ModelName = TestModels.LendingClub }, AdminKey);
            Assert.True((await fixture.Grpc.ModelReadyAsync(new V2.ModelReadyRequest { Name = TestModels.LendingClub })).Ready);
        }
        finally
        {
            await fixture.Admin.PostAsync($"/v2/repository/models/{TestModels.LendingClub}/load", null);
        }

        // gRPC refusals: the request's fault is INVALID_ARGUMENT, the repository's FAILED_PRECONDITION, each with REST's text.
        var config = new V2.RepositoryModelLoadRequest { ModelName = TestModels.LendingClub };
        config.Parameters["config"] = new V2.ModelRepositoryParameter { StringParam = "{}" };
        await AssertRefused(fixture.Grpc.RepositoryModelLoadAsync(config, AdminKey), StatusCode.InvalidArgument, "the card inside the model's ONNX file");
        var wrongType = new V2.RepositoryModelUnloadRequest { ModelName = TestModels.LendingClub };
        wrongType.Parameters["unload_dependents"] = new V2.ModelRepositoryParameter { StringParam = "true" };
        await AssertRefused(fixture.Grpc.RepositoryModelUnloadAsync(wrongType, AdminKey), StatusCode.InvalidArgument, "'unload_dependents' must be a boolean");
        await AssertRefused(fixture.Grpc.RepositoryModelLoadAsync(new V2.RepositoryModelLoadRequest(), AdminKey), StatusCode.InvalidArgument, "a model name is required");
        await AssertRefused(fixture.Grpc.RepositoryModelLoadAsync(new V2.RepositoryModelLoadRequest { ModelName = "no-such-model" }, AdminKey), StatusCode.FailedPrecondition, "no model 'no-such-model'");
        await AssertRefused(fixture.Grpc.RepositoryModelUnloadAsync(new V2.RepositoryModelUnloadRequest { ModelName = TestModels.German }, AdminKey), StatusCode.FailedPrecondition, "default model");
        Assert.True((await fixture.Grpc.ModelReadyAsync(new V2.ModelReadyRequest { Name = TestModels.LendingClub })).Ready);
    }

    [Fact]
    public async Task The_grpc_methods_need_the_admin_key_as_rest_does_and_a_rest_refusal_carries_the_error_member()
    {
        foreach (var headers in new[] { new Metadata(), new Metadata { { "x-api-key", RepositoryServer.Key } } })
        {
            await AssertRefused(fixture.Grpc.RepositoryIndexAsync(new V2.RepositoryIndexRequest(), headers), StatusCode.Unauthenticated, "admin key");
            await AssertRefused(fixture.Grpc.RepositoryModelLoadAsync(new V2.RepositoryModelLoadRequest { ModelName = TestModels.LendingClub }, headers), StatusCode.Unauthenticated, "admin key");
            await AssertRefused(fixture.Grpc.RepositoryModelUnloadAsync(new V2.RepositoryModelUnloadRequest { ModelName = TestModels.LendingClub }, headers), StatusCode.Unauthenticated, "admin key");
        }

        Assert.True((await fixture.Grpc.ModelReadyAsync(new V2.ModelReadyRequest { Name = TestModels.LendingClub })).Ready);

        // The key rule's 401 is a problem, like every refusal of the key rule, and carries the protocol's "error"
        // (Triton's clients read that member from any answer that is not 200).
        var problem = await (await fixture.Keyed.PostAsync($"/v2/repository/models/{TestModels.LendingClub}/unload", null)).AssertProblem(401);
        Assert.Equal((string?)problem["detail"], (string?)problem["error"]);
        Assert.Contains("admin key", (string?)problem["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_encoded_by_the_extensions_field_numbers_are_read_and_answered_by_them()
    {
        // Built by hand from the numbers in the extension's document, not from this repository's .proto: what a Triton
        // client (generated from Triton's own grpc_service.proto) puts on the wire.
        var invoker = fixture.Channel.CreateCallInvoker();

        // RepositoryIndexRequest { bool ready = 2 } = true.
        var index = await invoker.AsyncUnaryCall(Raw("RepositoryIndex"), null, new CallOptions(AdminKey), [0x10, 0x01]);
        // RepositoryIndexResponse { repeated ModelIndex models = 1 }, ModelIndex { name = 1, version = 2, state = 3, reason = 4 }.
        var models = new List<(string, string, string)>();
        var response = new CodedInputStream(index);
        while (response.ReadTag() is var tag && tag != 0)
        {
            Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited), tag);
            var entry = new CodedInputStream(response.ReadBytes().ToByteArray());
            var fields = new Dictionary<int, string>();
            while (entry.ReadTag() is var field && field != 0)
            {
                fields[WireFormat.GetTagFieldNumber(field)] = entry.ReadString();
            }

            Assert.True(fields.Keys.All(k => k is >= 1 and <= 4), string.Join(",", fields.Keys));
            models.Add((fields[1], fields[2], fields[3]));
        }

        Assert.Equal([(TestModels.German, "1", "READY"), (TestModels.LendingClub, "1", "READY")], models);

        // RepositoryModelUnloadRequest { string model_name = 2; map<string, ModelRepositoryParameter> parameters = 3 }
        // with unload_dependents = ModelRepositoryParameter { bool bool_param = 1 } = true; then a load { model_name = 2 }.
        try
        {
            var unload = Message(w =>
            {
                w.WriteTag(2, WireFormat.WireType.LengthDelimited);
                w.WriteString(TestModels.LendingClub);
                w.WriteTag(3, WireFormat.WireType.LengthDelimited);
                w.WriteBytes(Message(entry =>
                {
                    entry.WriteTag(1, WireFormat.WireType.LengthDelimited);
                    entry.WriteString("unload_dependents");
                    entry.WriteTag(2, WireFormat.WireType.LengthDelimited);
                    entry.WriteBytes(ByteString.CopyFrom(0x08, 0x01));
                }));
            });
            Assert.Empty(await invoker.AsyncUnaryCall(Raw("RepositoryModelUnload"), null, new CallOptions(AdminKey), unload.ToByteArray()));
            Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/v2/models/{TestModels.LendingClub}/ready")).StatusCode);
        }
        finally
        {
            var load = Message(w =>
            {
                w.WriteTag(2, WireFormat.WireType.LengthDelimited);
                w.WriteString(TestModels.LendingClub);
            });
            Assert.Empty(await invoker.AsyncUnaryCall(Raw("RepositoryModelLoad"), null, new CallOptions(AdminKey), load.ToByteArray()));
        }

        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v2/models/{TestModels.LendingClub}/ready")).StatusCode);

        static Method<byte[], byte[]> Raw(string name) => new(MethodType.Unary, "inference.GRPCInferenceService", name, Bytes, Bytes);

        static ByteString Message(Action<CodedOutputStream> write)
        {
            using var buffer = new MemoryStream();
            using (var output = new CodedOutputStream(buffer, leaveOpen: true))
            {
                write(output);
            }

            return ByteString.CopyFrom(buffer.ToArray());
        }
    }

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    private static async Task AssertRefused<T>(AsyncUnaryCall<T> call, StatusCode code, string detail)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.True(refused.StatusCode == code, $"{refused.Status}");
        Assert.Contains(detail, refused.Status.Detail, StringComparison.Ordinal);
    }

    private async Task<JsonArray> IndexOk(HttpContent? body)
    {
        using var response = await fixture.Admin.PostAsync("/v2/repository/index", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsArray();
    }

    private static (string, string, string)[] Entries(JsonArray index) =>
        [.. index.Select(e => ((string)e!["name"]!, (string)e["version"]!, (string)e["state"]!))];
}
