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

    /// <summary>The admin key (at least 16 characters, not the key above): loading, unloading and promoting models
    /// (the repository API, /api/v1/models/{name}/promote). Unset = those endpoints answer every request 401.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Scoring (REST, Open Inference REST and gRPC) needs the key too. Off by default: the score endpoints are open, as before.</summary>
    public bool RequiredForScoring { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Key is not null && Key.Trim().Length < 16)
        {
            yield return new ValidationResult("ApiKey:Key must be at least 16 characters (or unset).", [nameof(Key)]);
        }

        if (AdminKey is not null && AdminKey.Trim().Length < 16)
        {
            yield return new ValidationResult("ApiKey:AdminKey must be at least 16 characters (or unset).", [nameof(AdminKey)]);
        }

        // A distinct key: whoever may read the records (a reporting tool, say) may not thereby change what decides.
        if (AdminKey is not null && Key is not null && AdminKey.Trim() == Key.Trim())
        {
            yield return new ValidationResult("ApiKey:AdminKey must differ from ApiKey:Key.", [nameof(AdminKey)]);
        }

        if (RequiredForScoring && string.IsNullOrWhiteSpace(Key))
        {
            yield return new ValidationResult("ApiKey:RequiredForScoring is true but ApiKey:Key is not set.", [nameof(RequiredForScoring)]);
        }
    }
}

/// <summary>
/// The key rule: a missing or wrong <c>X-API-Key</c> is refused (401 problem, or UNAUTHENTICATED over gRPC). The comparison is of SHA-256
/// digests in constant time, so neither the key's content nor its length leaks through timing.
/// </summary>
public static class ApiKeys
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Why a request to an endpoint of this access is refused (the 401's detail; for gRPC, UNAUTHENTICATED's), or null
    /// when it may pass. The key rule of every API endpoint, REST and gRPC (whose <c>x-api-key</c> metadata is this header).
    /// </summary>
    public static string? Refusal(HttpContext http, ApiAccess access)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<ApiKeyOptions>>().Value;
        var key = access == ApiAccess.Admin ? options.AdminKey : options.Key;
        var needed = access switch
        {
            ApiAccess.Admin => true,
            ApiAccess.Records => true,
            // Aggregates only, but of every applicant's decision: closed whenever a key exists to close them with.
            ApiAccess.Aggregates => !string.IsNullOrWhiteSpace(key),
            ApiAccess.Scoring => options.RequiredForScoring,
            _ => false,
        };
        if (!needed)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(key) && access == ApiAccess.Admin)
        {
            return $"No admin key is configured on this server (ApiKey:AdminKey), so no {ApiKeyOptions.Header} header opens these endpoints.";
        }

        if (string.IsNullOrWhiteSpace(key))
        {
            return "No API key is configured on this server (ApiKey:Key), so these endpoints are closed.";
        }

        var sent = http.Request.Headers[ApiKeyOptions.Header];
        if (sent.Count != 1 || string.IsNullOrEmpty(sent[0]))
        {
            return access == ApiAccess.Admin ? $"Send the admin key in the {ApiKeyOptions.Header} header." : $"Send the API key in the {ApiKeyOptions.Header} header.";
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim()));
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(sent[0]!));
        return CryptographicOperations.FixedTimeEquals(expected, given)
            ? null
            : access == ApiAccess.Admin ? $"The {ApiKeyOptions.Header} header does not hold the admin key." : $"The {ApiKeyOptions.Header} header does not hold the right key.";
    }

    /// <summary>Endpoint metadata: this endpoint always needs the key (the OpenAPI document states it).</summary>
    public sealed class Required;

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Unauthorized(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: detail);
}
