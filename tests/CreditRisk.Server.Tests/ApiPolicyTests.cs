using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Testing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using V2 = global::Inference;

namespace CreditRisk.Server.Tests;

/// <summary>
/// Every endpoint the server maps (its endpoint data source, gRPC methods included) against one table of what each
/// may give out. An endpoint missing from the table fails the walk until someone classifies it, so a new endpoint that
/// scores or reads records cannot ship without the key rule, the rate limit and, when it scores, an admission lane.
/// </summary>
public sealed class ApiPolicyWalkTests
{
    private const string Key = "policy-walk-test-key-0123456789";
    private const string Grpc = "/inference.GRPCInferenceService/";

    /// <summary>
    /// Each endpoint by "METHOD pattern": null = open infrastructure that needs no policy at all (probes, scrapes);
    /// <see cref="ApiAccess.Open"/> = the allow-list of open API endpoints (model and protocol metadata: rate-limited,
    /// no key); anything else carries the key rule of its access.
    /// </summary>
    private static readonly Dictionary<string, ApiAccess?> Expected = new()
    {
        ["GET /health/live"] = null,
        ["HEAD /health/live"] = null,
        ["GET /health/ready"] = null,
        ["HEAD /health/ready"] = null,
        ["GET /metrics"] = null,
        ["HEAD /metrics"] = null,
        ["GET /swagger/{documentName}/swagger.yaml"] = null,
        ["GET /v2/health/live"] = null,
        ["GET /v2/health/ready"] = null,
        ["GET /v2/"] = null,
        ["POST " + Grpc + "ServerLive"] = ApiAccess.Open,
        ["POST " + Grpc + "ServerReady"] = ApiAccess.Open,
        ["POST " + Grpc + "ModelReady"] = ApiAccess.Open,
        ["POST " + Grpc + "ServerMetadata"] = ApiAccess.Open,
        ["POST " + Grpc + "ModelMetadata"] = ApiAccess.Open,
        ["GET /api/v1/model"] = ApiAccess.Open,
        ["GET /api/v1/model/rules"] = ApiAccess.Open,
        ["GET /v2/models/{name}/"] = ApiAccess.Open,
        ["GET /v2/models/{name}/ready"] = ApiAccess.Open,
        ["GET /v2/models/{name}/versions/{version}/"] = ApiAccess.Open,
        ["GET /v2/models/{name}/versions/{version}/ready"] = ApiAccess.Open,
        ["GET /api/v1/models"] = ApiAccess.Open,
        ["GET /api/v1/models/{name}"] = ApiAccess.Open,
        ["GET /api/v1/models/{name}/rules"] = ApiAccess.Open,
        ["POST /api/v1/score"] = ApiAccess.Scoring,
        ["POST /api/v1/models/{name}/score"] = ApiAccess.Scoring,
        ["POST /api/v1/models/{name}/score/batch"] = ApiAccess.Scoring,
        ["POST /v2/repository/index"] = ApiAccess.Admin,
        ["POST /api/v1/models/{name}/promote"] = ApiAccess.Admin,
        ["POST /api/v1/models/{name}/rollback"] = ApiAccess.Admin,
        ["GET /api/v1/models/{name}/events"] = ApiAccess.Aggregates,
        ["POST /v2/repository/models/{name}/load"] = ApiAccess.Admin,
        ["POST /v2/repository/models/{name}/unload"] = ApiAccess.Admin,
        ["POST /api/v1/score/batch"] = ApiAccess.Scoring,
        ["POST /v2/models/{name}/infer"] = ApiAccess.Scoring,
        ["POST /v2/models/{name}/versions/{version}/infer"] = ApiAccess.Scoring,
        ["POST " + Grpc + "ModelInfer"] = ApiAccess.Scoring,
        ["POST " + Grpc + "RepositoryIndex"] = ApiAccess.Admin,
        ["POST " + Grpc + "RepositoryModelLoad"] = ApiAccess.Admin,
        ["POST " + Grpc + "RepositoryModelUnload"] = ApiAccess.Admin,
        ["GET /api/v1/monitoring"] = ApiAccess.Aggregates,
        ["GET /api/v1/models/{name}/monitoring"] = ApiAccess.Aggregates,
        ["GET /api/v1/monitoring/challenger"] = ApiAccess.Aggregates,
        ["GET /api/v1/decisions/"] = ApiAccess.Records,
        ["GET /api/v1/decisions/{id:guid}"] = ApiAccess.Records,
        ["POST /api/v1/outcomes"] = ApiAccess.Records,
        ["GET /api/v1/reviews/"] = ApiAccess.Review,
        ["GET /api/v1/reviews/{id:guid}"] = ApiAccess.Review,
        ["POST /api/v1/decisions/{id:guid}/review"] = ApiAccess.Review,
        ["GET /api/v1/decisions/{id:guid}/notice"] = ApiAccess.Review,
    };

    [Fact]
    public void Every_mapped_endpoint_carries_the_policy_of_what_it_gives_out()
    {
        using var app = new AppFactory(new Dictionary<string, string?>());
        var endpoints = Endpoints(app);
        Assert.True(endpoints.Count >= 20, $"only {endpoints.Count} endpoints found: is this the real app?");

        var failures = new List<string>();
        foreach (var (name, endpoint) in endpoints)
        {
            if (!Expected.TryGetValue(name, out var expected))
            {
                failures.Add($"{name}: not classified; add it to {nameof(Expected)} with what it gives out (and map it through MapApiGroup)");
                continue;
            }

            var policy = endpoint.Metadata.GetMetadata<ApiPolicy>();
            if (expected is null)
            {
                if (policy is not null)
                {
                    failures.Add($"{name}: expected no API policy, has {policy.Access}");
                }

                continue;
            }

            if (policy?.Access != expected)
            {
                failures.Add($"{name}: expected the {expected} policy, has {policy?.Access.ToString() ?? "none"}");
            }

            var limit = expected == ApiAccess.Aggregates ? CreditRisk.Server.Api.ApiPolicies.AggregatesRateLimit : CreditRisk.Server.Api.ApiPolicies.RateLimit;
            if (endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName != limit)
            {
                failures.Add($"{name}: not rate-limited by the {limit} policy");
            }

            // Every scoring endpoint is admitted by ScoringCapacity (by its policy); those that score batches in the batch lane.
            var batches = name.EndsWith("/infer", StringComparison.Ordinal) || name.EndsWith("/batch", StringComparison.Ordinal) || name.EndsWith("ModelInfer", StringComparison.Ordinal);
            if (expected == ApiAccess.Scoring && batches != endpoint.Metadata.GetMetadata<CreditRisk.Server.Api.BatchLane>() is not null)
            {
                failures.Add($"{name}: in the wrong admission lane");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // The walk saw every method of the gRPC service, implemented or not.
        var methods = typeof(V2.GRPCInferenceService.GRPCInferenceServiceBase)
            .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.IsVirtual)
            .Select(m => "POST " + Grpc + m.Name);
        Assert.All(methods, m => Assert.Contains(m, endpoints.Keys));
    }

    [Fact]
    public async Task Every_endpoint_that_scores_or_reads_records_refuses_a_request_without_the_key_and_records_nothing()
    {
        using var app = new AppFactory(new Dictionary<string, string?> { ["ApiKey:Key"] = Key, ["ApiKey:RequiredForScoring"] = "true" });
        var endpoints = Endpoints(app);
        using var client = app.CreateClient();
        using var channel = GrpcChannel.ForAddress(app.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = app.Server.CreateHandler() });
        var applicant = Http.ApplicantJson();
        var bodies = new Dictionary<string, string>
        {
            ["/api/v1/score"] = applicant.ToJsonString(),
            ["/api/v1/score/batch"] = new JsonObject { ["applicants"] = new JsonArray(applicant.DeepClone()) }.ToJsonString(),
            ["/v2/models/{name}/infer"] = OpenInferenceTests.InferRequest([applicant]).ToJsonString(),
            ["/v2/models/{name}/versions/{version}/infer"] = OpenInferenceTests.InferRequest([applicant]).ToJsonString(),
        };
        var version = (await (await client.GetAsync(new Uri("/api/v1/model", UriKind.Relative))).Content.ReadFromJsonAsync<JsonObject>())!["version"]!.GetValue<string>();

        var refused = 0;
        foreach (var (name, endpoint) in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<ApiPolicy>() is not { Access: not ApiAccess.Open })
            {
                continue;
            }

            var pattern = endpoint.RoutePattern.RawText!;
            if (pattern.StartsWith(Grpc, StringComparison.Ordinal))
            {
                // Any method by name, with the request message a real client would send for ModelInfer.
                var method = new Method<byte[], byte[]>(MethodType.Unary, "inference.GRPCInferenceService", pattern[Grpc.Length..], Raw, Raw);
                var message = OpenInferenceTests.GrpcRequest([applicant], raw: false).ToByteArray();
                var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(method, null, default, message).ResponseAsync);
                Assert.True(error.StatusCode == StatusCode.Unauthenticated, $"{name}: {error.Status}");
            }
            else
            {
                var path = pattern.Replace("{name}", TestModels.German, StringComparison.Ordinal)
                    .Replace("{version}", version, StringComparison.Ordinal)
                    .Replace("{id:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
                var httpMethod = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single();
                using var request = new HttpRequestMessage(new HttpMethod(httpMethod), path);
                if (httpMethod == "POST")
                {
                    request.Content = Http.JsonContent(bodies.GetValueOrDefault(pattern, "{}"));
                }

                using var response = await client.SendAsync(request);
                var problem = await response.AssertProblem(401);
                Assert.Contains("X-API-Key", (string?)problem["detail"], StringComparison.Ordinal);
            }

            refused++;
        }

        Assert.True(refused >= 10, $"only {refused} endpoints were refused");
        using var keyed = app.CreateClient();
        keyed.DefaultRequestHeaders.Add("X-API-Key", Key);
        var page = await keyed.GetFromJsonAsync<DecisionPage>(new Uri("/api/v1/decisions", UriKind.Relative), Http.Json);
        Assert.Empty(page!.Items);
    }

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);

    /// <summary>Every route endpoint of the real app by "METHOD pattern".</summary>
    private static Dictionary<string, RouteEndpoint> Endpoints(AppFactory app)
    {
        _ = app.Server;
        return app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => (Name: $"{m} {e.RoutePattern.RawText}", Endpoint: e)))
            .ToDictionary(p => p.Name, p => p.Endpoint);
    }
}

/// <summary>
/// The red-team findings on the key, the rate limit and the gRPC port, against the real server process: with
/// ApiKey:RequiredForScoring the Open Inference Protocol's infer (both routes) and gRPC ModelInfer scored and recorded
/// without any key.
/// </summary>
public sealed class KeyedInferenceServer : IAsyncLifetime
{
    public const string Key = "inference-key-test-0123456789";

    public ServerProcess Server { get; private set; } = null!;

    public int GrpcPort { get; } = ServerProcess.FreePort();

    public async Task InitializeAsync() => Server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
    {
        ["Inference__GrpcPort"] = GrpcPort.ToString(CultureInfo.InvariantCulture),
        ["ApiKey__Key"] = Key,
        ["ApiKey__RequiredForScoring"] = "true",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class InferencePolicyTests(KeyedInferenceServer fixture) : IClassFixture<KeyedInferenceServer>
{
    private const string Model = TestModels.German;

    [Fact]
    public async Task V2_infer_on_both_routes_and_grpc_ModelInfer_refuse_a_missing_or_wrong_key_record_nothing_and_score_with_it()
    {
        var server = fixture.Server;
        var row = Golden.Load(Model).Rows.First(r => r.Kind == "data").Input;
        var version = (await server.Client.GetFromJsonAsync<JsonObject>("/api/v1/model"))!["version"]!.GetValue<string>();
        string[] routes = [$"/v2/models/{Model}/infer", $"/v2/models/{Model}/versions/{version}/infer"];
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.GrpcPort}");
        var grpc = new V2.GRPCInferenceService.GRPCInferenceServiceClient(channel);
        using var keyed = new HttpClient { BaseAddress = server.BaseAddress };
        keyed.DefaultRequestHeaders.Add("X-API-Key", KeyedInferenceServer.Key);
        var before = (await keyed.GetFromJsonAsync<DecisionPage>("/api/v1/decisions?limit=1000", Http.Json))!.Items.Count;

        foreach (var key in new[] { null, KeyedInferenceServer.Key + "x" })
        {
            foreach (var route in routes)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = Http.JsonContent(OpenInferenceTests.InferRequest([row]).ToJsonString()) };
                if (key is not null)
                {
                    request.Headers.Add("X-API-Key", key);
                }

                using var response = await server.Client.SendAsync(request);
                await response.AssertProblem(401);
            }

            var headers = key is null ? new Metadata() : new Metadata { { "x-api-key", key } };
            var refused = await Assert.ThrowsAsync<RpcException>(() => grpc.ModelInferAsync(OpenInferenceTests.GrpcRequest([row], raw: false), headers).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            Assert.Contains("X-API-Key", refused.Status.Detail, StringComparison.Ordinal);
        }

        // Nothing was scored, so nothing recorded.
        Assert.Equal(before, (await keyed.GetFromJsonAsync<DecisionPage>("/api/v1/decisions?limit=1000", Http.Json))!.Items.Count);

        foreach (var route in routes)
        {
            using var response = await keyed.PostJson(route, OpenInferenceTests.InferRequest([row]));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var scored = await grpc.ModelInferAsync(OpenInferenceTests.GrpcRequest([row], raw: false), new Metadata { { "x-api-key", KeyedInferenceServer.Key } });
        Assert.Single(scored.Outputs.Single(o => o.Name == "decision").Contents.BytesContents);
        Assert.Equal(before + 3, (await keyed.GetFromJsonAsync<DecisionPage>("/api/v1/decisions?limit=1000", Http.Json))!.Items.Count);
    }

    [Fact]
    public async Task The_rate_limit_applies_to_v2_infer_on_both_routes_and_to_grpc_ModelInfer_with_the_key()
    {
        var grpcPort = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
        {
            ["Inference__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["ApiKey__Key"] = KeyedInferenceServer.Key,
            ["ApiKey__RequiredForScoring"] = "true",
            ["Limits__RateLimitPermits"] = "3",
            ["Limits__RateLimitWindowSeconds"] = "60",
        });
        var row = Golden.Load(Model).Rows.First(r => r.Kind == "data").Input;
        var version = TestModels.SidecarVersion(Model);
        string[] routes = [$"/v2/models/{Model}/infer", $"/v2/models/{Model}/versions/{version}/infer"];
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var grpc = new V2.GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var key = new Metadata { { "x-api-key", KeyedInferenceServer.Key } };
        server.Client.DefaultRequestHeaders.Add("X-API-Key", KeyedInferenceServer.Key);

        // Three permits a minute per client: one call on each, then every one of them refused.
        foreach (var route in routes)
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Client.PostJson(route, OpenInferenceTests.InferRequest([row]))).StatusCode);
        }

        await grpc.ModelInferAsync(OpenInferenceTests.GrpcRequest([row], raw: false), key);
        foreach (var route in routes)
        {
            using var limited = await server.Client.PostJson(route, OpenInferenceTests.InferRequest([row]));
            await limited.AssertProblem(429);
            Assert.NotNull(limited.Headers.RetryAfter);
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => grpc.ModelInferAsync(OpenInferenceTests.GrpcRequest([row], raw: false), key).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("429", refused.Status.Detail, StringComparison.Ordinal);
    }
    [Fact]
    public async Task The_aggregate_reports_have_a_tighter_limit_of_their_own_that_scoring_does_not_share()
    {
        await using var server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
        {
            ["ApiKey__Key"] = KeyedInferenceServer.Key,
            ["Limits__RateLimitPermits"] = "3",
            ["Limits__AggregatesRateLimitPermits"] = "1",
            ["Limits__RateLimitWindowSeconds"] = "60",
        });
        server.Client.DefaultRequestHeaders.Add("X-API-Key", KeyedInferenceServer.Key);

        // One report a minute per client, for the monitoring reports (the default model's and by name) and the challenger's together...
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync(new Uri("/api/v1/monitoring", UriKind.Relative))).StatusCode);
        foreach (var path in new[] { "/api/v1/monitoring", "/api/v1/monitoring/challenger", $"/api/v1/models/{TestModels.German}/monitoring" })
        {
            using var limited = await server.Client.GetAsync(new Uri(path, UriKind.Relative));
            await limited.AssertProblem(429);
            Assert.NotNull(limited.Headers.RetryAfter);
            Assert.Contains("At most 1 requests", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // ...while the same client still has all three scoring permits, and then the scoring limit holds.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Client.PostJson("/api/v1/score", Http.ApplicantJson())).StatusCode);
        }

        using var scoringLimited = await server.Client.PostJson("/api/v1/score", Http.ApplicantJson());
        await scoringLimited.AssertProblem(429);
        Assert.Contains("At most 3 requests", await scoringLimited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>The gRPC port against the real server process: where it listens, and how it refuses an oversized message.</summary>
public sealed class GrpcListenerTests
{
    [Fact]
    public async Task The_grpc_port_listens_on_loopback_only_when_the_http_urls_do()
    {
        // ServerProcess binds HTTP to http://127.0.0.1:{port} only.
        var grpcPort = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
        {
            ["Inference__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
        });

        var listening = ListeningAddresses(grpcPort);
        Assert.NotEmpty(listening);
        Assert.All(listening, address => Assert.True(IPAddress.IsLoopback(address), $"the gRPC port listens on {address}"));

        // From outside: a connection to a local address that is not loopback is refused.
        var external = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (external is not null)
        {
            using var socket = new TcpClient();
            var refused = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(external, grpcPort));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        // And gRPC answers on loopback.
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Assert.True((await new V2.GRPCInferenceService.GRPCInferenceServiceClient(channel).ServerLiveAsync(new V2.ServerLiveRequest())).Live);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(100)]
    public async Task A_grpc_message_over_the_body_limit_is_resource_exhausted_with_a_warning_and_no_stack_trace(int megabytes)
    {
        var grpcPort = ServerProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
        {
            ["Inference__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
        });
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions { MaxSendMessageSize = null });
        var grpc = new V2.GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new V2.ModelInferRequest { ModelName = TestModels.German };
        request.Inputs.Add(new V2.ModelInferRequest.Types.InferInputTensor { Name = "creditAmount", Datatype = "FP32", Shape = { 1, 1 } });
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[megabytes * 1024 * 1024]));

        var refused = await Assert.ThrowsAsync<RpcException>(() => grpc.ModelInferAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Limits:MaxRequestBodyBytes", refused.Status.Detail, StringComparison.Ordinal);

        // The server still serves, and said why in one Warning line, with no exception or stack trace.
        Assert.True((await grpc.ServerLiveAsync(new V2.ServerLiveRequest())).Live);
        var lines = server.Output.Split('\n');
        Assert.Contains(lines, l => l.Contains("\"@l\":\"Warning\"", StringComparison.Ordinal) && l.Contains("RESOURCE_EXHAUSTED", StringComparison.Ordinal));
        Assert.DoesNotContain("\"@x\"", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception was thrown by handler", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("\"@l\":\"Error\"", server.Output, StringComparison.Ordinal);
    }

    /// <summary>The local addresses of the sockets listening on a TCP port (Linux: /proc/net/tcp and tcp6).</summary>
    private static List<IPAddress> ListeningAddresses(int port)
    {
        var found = new List<IPAddress>();
        foreach (var (file, bytes) in new[] { ("/proc/net/tcp", 4), ("/proc/net/tcp6", 16) })
        {
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                // State 0A is LISTEN; the port is hexadecimal.
                if (fields[3] != "0A" || int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port)
                {
                    continue;
                }

                // Each 32-bit word of the address is written in host (little-endian) order.
                var address = Convert.FromHexString(local[0]);
                for (var word = 0; word < bytes; word += 4)
                {
                    Array.Reverse(address, word, 4);
                }

                found.Add(new IPAddress(address));
            }
        }

        return found;
    }
}
