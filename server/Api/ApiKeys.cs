using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Api;

/// <summary>The API key. Section <c>ApiKey</c>.</summary>
public sealed class ApiKeyOptions : IValidatableObject
{
    public const string Section = "ApiKey";

    /// <summary>The header that carries the key.</summary>
    public const string Header = "X-API-Key";

    /// <summary>The key (at least 16 characters); unset = the decision endpoints answer every request 401.</summary>
    public string? Key { get; set; }

    /// <summary>Scoring needs the key too. Off by default: the score endpoints are open, as before.</summary>
    public bool RequiredForScoring { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Key is not null && Key.Trim().Length < 16)
        {
            yield return new ValidationResult("ApiKey:Key must be at least 16 characters (or unset).", [nameof(Key)]);
        }

        if (RequiredForScoring && string.IsNullOrWhiteSpace(Key))
        {
            yield return new ValidationResult("ApiKey:RequiredForScoring is true but ApiKey:Key is not set.", [nameof(RequiredForScoring)]);
        }
    }
}

/// <summary>
/// Endpoint filters that refuse a missing or wrong <c>X-API-Key</c> with a 401 problem. The comparison is of SHA-256
/// digests in constant time, so neither the key's content nor its length leaks through timing.
/// </summary>
public static class ApiKeys
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    /// <summary>Always needs the key (endpoints that return applicant data).</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            Refusal(context.HttpContext) is { } refusal ? refusal : await next(context))
            .WithMetadata(new Required())
            .ProducesProblem(StatusCodes.Status401Unauthorized);

    /// <summary>Needs the key when ApiKey:RequiredForScoring is set (the score endpoints).</summary>
    public static TBuilder RequireApiKeyForScoring<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<IOptions<ApiKeyOptions>>().Value.RequiredForScoring
                && Refusal(context.HttpContext) is { } refusal
                ? refusal
                : await next(context));

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Refusal(HttpContext http)
    {
        var key = http.RequestServices.GetRequiredService<IOptions<ApiKeyOptions>>().Value.Key;
        if (string.IsNullOrWhiteSpace(key))
        {
            return Unauthorized("No API key is configured on this server (ApiKey:Key), so these endpoints are closed.");
        }

        var sent = http.Request.Headers[ApiKeyOptions.Header];
        if (sent.Count != 1 || string.IsNullOrEmpty(sent[0]))
        {
            return Unauthorized($"Send the API key in the {ApiKeyOptions.Header} header.");
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim()));
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(sent[0]!));
        return CryptographicOperations.FixedTimeEquals(expected, given)
            ? null
            : Unauthorized($"The {ApiKeyOptions.Header} header does not hold the right key.");
    }

    /// <summary>Endpoint metadata: this endpoint always needs the key (the OpenAPI document states it).</summary>
    public sealed class Required;

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Unauthorized(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: detail);
}
