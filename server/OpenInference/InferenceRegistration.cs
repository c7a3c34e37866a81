using System.Globalization;
using CreditRisk.Server.Api;
using CreditRisk.Server.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CreditRisk.Server.OpenInference;

public static class InferenceRegistration
{
    /// <summary>The Open Inference Protocol: its scoring, the gRPC service and, when Inference:GrpcPort is set, its HTTP/2 listener.</summary>
    public static WebApplicationBuilder AddInference(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<InferenceOptions>().BindConfiguration(InferenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<V2Scoring>();
        builder.Services.AddSingleton<V2Models>();
        builder.Services.AddSingleton<RepositoryExtension>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, V2JsonContext.Default));
        // Unknown services and methods are left to routing: otherwise gRPC's catch-all POST {service}/{method} turns
        // the 405 of POST /health/ready into a 404.
        builder.Services.AddGrpc(grpc =>
        {
            grpc.IgnoreUnknownServices = true;
            grpc.Interceptors.Add<GrpcPolicy>();
        });

        // Added to the server URLs like the health port (binding in code would make Kestrel ignore the URL settings);
        // a value that is not a port is left for option validation to report at start.
        if (int.TryParse(builder.Configuration[$"{InferenceOptions.Section}:{nameof(InferenceOptions.GrpcPort)}"], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535)
        {
            // On the hosts the HTTP URLs bind (ASPNETCORE_URLS, --urls, ASPNETCORE_HTTP_PORTS): loopback stays loopback.
            Connections.AddListeners(builder, [.. Connections.PublicHosts(builder.Configuration).Select(host => $"http://{host}:{port}")]);
            builder.Services.AddOptions<KestrelServerOptions>().Configure(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            {
                if (listen.IPEndPoint?.Port == port)
                {
                    listen.Protocols = HttpProtocols.Http2;
                }
            }));
        }

        return builder;
    }

    /// <summary>The gRPC service (the REST routes are a Carter module, <see cref="V2Module"/>).</summary>
    public static WebApplication MapInference(this WebApplication app)
    {
        // Each method's API policy, as MapApiGroup gives REST endpoints: rate-limited per client like /api (a refusal is
        // HTTP 429, which gRPC clients see as UNAVAILABLE); the key rule and the batch lane in GrpcPolicy. ModelInfer
        // scores and records like /api/v1/score/batch; health and metadata are open; the Model Repository extension's
        // methods change what serves, with the admin key as on REST. A method added to the service must be classified
        // here: the server refuses to start otherwise.
        app.MapGrpcService<GrpcInference>()
            .RequireRateLimiting(ApiPolicies.RateLimit)
            .Add(endpoint =>
            {
                var method = endpoint is RouteEndpointBuilder route ? route.RoutePattern.RawText?.Split('/')[^1] : null;
                endpoint.Metadata.Add(new ApiPolicy(method switch
                {
                    nameof(GrpcInference.ModelInfer) => ApiAccess.Scoring,
                    nameof(GrpcInference.ServerLive) or nameof(GrpcInference.ServerReady) or nameof(GrpcInference.ModelReady)
                        or nameof(GrpcInference.ServerMetadata) or nameof(GrpcInference.ModelMetadata) => ApiAccess.Open,
                    nameof(GrpcInference.RepositoryIndex) or nameof(GrpcInference.RepositoryModelLoad)
                        or nameof(GrpcInference.RepositoryModelUnload) => ApiAccess.Admin,
                    _ => throw new InvalidOperationException($"The gRPC method {method} has no API policy; classify it in MapInference."),
                }));
                if (method == nameof(GrpcInference.ModelInfer))
                {
                    endpoint.Metadata.Add(BatchLane.Instance);
                }
            });
        // Before gRPC reads a message: one over the body limit is RESOURCE_EXHAUSTED, not a handler exception.
        app.Use(GrpcPolicy.RefuseOversizedMessagesAsync);
        return app;
    }
}
