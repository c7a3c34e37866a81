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
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, V2JsonContext.Default));
        // Unknown services and methods are left to routing: otherwise gRPC's catch-all POST {service}/{method} turns
        // the 405 of POST /health/ready into a 404.
        builder.Services.AddGrpc(grpc => grpc.IgnoreUnknownServices = true);

        // Added to the server URLs like the health port (binding in code would make Kestrel ignore the URL settings);
        // a value that is not a port is left for option validation to report at start.
        if (int.TryParse(builder.Configuration[$"{InferenceOptions.Section}:{nameof(InferenceOptions.GrpcPort)}"], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535)
        {
            Connections.AddListener(builder, $"http://*:{port}");
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
        // Rate-limited per client like the /api routes (a refusal is HTTP 429, which gRPC clients see as UNAVAILABLE).
        // ModelInfer scores whole batches: it takes a permit of ScoringCapacity's batch lane (a refusal is HTTP 503,
        // UNAVAILABLE to gRPC clients); health and metadata calls stay outside the lanes.
        app.MapGrpcService<GrpcInference>()
            .RequireRateLimiting(ApiPolicies.RateLimit)
            .Add(endpoint =>
            {
                if (endpoint is RouteEndpointBuilder route && route.RoutePattern.RawText?.EndsWith("/" + nameof(GrpcInference.ModelInfer), StringComparison.Ordinal) == true)
                {
                    endpoint.Metadata.Add(BatchLane.Instance);
                }
            });
        return app;
    }
}
