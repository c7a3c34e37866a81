
namespace CreditRisk.Server.Api;

/// <summary>What an endpoint gives out; it decides the API key rule the endpoint needs.</summary>
public enum ApiAccess
{
    /// <summary>The model's and the protocol's metadata: no key.</summary>
    Open,

    /// <summary>Scores and records decisions: the key when ApiKey:RequiredForScoring is set; a lane of <see cref="ScoringCapacity"/>.</summary>
    Scoring,

    /// <summary>Aggregates over the records (monitoring, challenger): the key whenever ApiKey:Key is set.</summary>
    Aggregates,

    /// <summary>The records themselves, applicant data included: the key always (closed when no key is configured).</summary>
    Records,

    /// <summary>The review queue, reviews and notices: a named reviewer key always (ApiKey:Reviewers), never the records key; its name is who decided.</summary>
    Review,

    /// <summary>Changes what decides: loading, unloading and promoting models. The admin key always (ApiKey:AdminKey; closed without one).</summary>
    Admin,
}

/// <summary>
/// Endpoint metadata: the one policy of an API endpoint, attached only by <see cref="ApiGroups.MapApiGroup"/> (REST) and
/// <c>MapInference</c> (gRPC). From it follow the key rule (<see cref="ApiKeys.Refusal"/>: an endpoint filter for REST,
/// <c>GrpcPolicy</c> for gRPC), the rate limit and, for <see cref="ApiAccess.Scoring"/>, an admission lane. A test walks
/// every mapped endpoint and fails on one that scores or reads records without it.
/// </summary>
public sealed record ApiPolicy(ApiAccess Access);

public static class ApiGroups
{
    /// <summary>
    /// A route group under <paramref name="prefix"/> whose every endpoint carries the policy of <paramref name="access"/>:
    /// the per-client rate limit, and the key rule as an endpoint filter (before the handler reads the body or scores).
    /// Every API module maps its routes through this, never attaching a key rule or rate limit endpoint by endpoint.
    /// </summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app, string prefix, ApiAccess access)
    {
        var group = app.MapGroup(prefix)
            .WithMetadata(new ApiPolicy(access))
            .RequireRateLimiting(access == ApiAccess.Aggregates ? ApiPolicies.AggregatesRateLimit : ApiPolicies.RateLimit);
        if (access == ApiAccess.Open)
        {
            return group;
        }

        if (access is ApiAccess.Records or ApiAccess.Review or ApiAccess.Admin)
        {
            // Always needs the key: the OpenAPI document states it (a security requirement and the 401).
            group.WithMetadata(new ApiKeys.Required()).ProducesProblem(StatusCodes.Status401Unauthorized);
        }

        group.AddEndpointFilter(async (context, next) =>
            ApiKeys.Refusal(context.HttpContext, access) is { } refusal ? ApiKeys.Unauthorized(refusal) : await next(context));
        return group;
    }
}
