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

    /// <summary>
    /// Named reviewer keys (<c>ApiKey:Reviewers:&lt;name&gt;=&lt;key&gt;</c>, each at least 16 characters, none equal to
    /// <see cref="Key"/> or to another): the review endpoints take only these, and the name is who decided (issue 30).
    /// None = the review endpoints answer every request 401.
    /// </summary>
    public Dictionary<string, string> Reviewers { get; set; } = new(StringComparer.Ordinal);

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

        foreach (var (name, key) in Reviewers)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Trim().Length < 16)
            {
                yield return new ValidationResult($"ApiKey:Reviewers:{name} must be at least 16 characters.", [nameof(Reviewers)]);
            }
            else if (key.Trim() == Key?.Trim() || Reviewers.Count(r => r.Value.Trim() == key.Trim()) > 1)
            {
                // One key, one identity: a reviewer key that is also the records key, or another reviewer's, names no one.
                yield return new ValidationResult($"ApiKey:Reviewers:{name} must differ from ApiKey:Key and from every other reviewer's key.", [nameof(Reviewers)]);
            }
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
        if (access == ApiAccess.Review)
        {
            return ReviewerRefusal(http, options);
        }

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

    /// <summary>The reviewer a request of <see cref="ApiAccess.Review"/> was let in as (the name of its key); set by the key rule before the handler runs.</summary>
    public static string Reviewer(HttpContext http) =>
        http.Items[ReviewerItem] as string ?? throw new InvalidOperationException("Not a review endpoint: no reviewer key was checked.");

    private const string ReviewerItem = "CreditRisk.Reviewer";

    /// <summary>A reviewer key in the header, compared with every configured one in constant time (no early exit, so
    /// timing says nothing about which or how many keys exist); the matching name becomes <see cref="Reviewer"/>.</summary>
    private static string? ReviewerRefusal(HttpContext http, ApiKeyOptions options)
    {
        if (options.Reviewers.Count == 0)
        {
            return $"No reviewer key is configured on this server (ApiKey:Reviewers:<name>), so the review endpoints, which take a reviewer's key in the {ApiKeyOptions.Header} header, are closed.";
        }

        var sent = http.Request.Headers[ApiKeyOptions.Header];
        if (sent.Count != 1 || string.IsNullOrEmpty(sent[0]))
        {
            return $"Send a reviewer's key in the {ApiKeyOptions.Header} header.";
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(sent[0]!));
        string? reviewer = null;
        foreach (var (name, key) in options.Reviewers)
        {
            if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim())), given))
            {
                reviewer = name;
            }
        }

        if (reviewer is null)
        {
            return $"The {ApiKeyOptions.Header} header does not hold a reviewer's key (the scoring and records key is not one).";
        }

        http.Items[ReviewerItem] = reviewer;
        return null;
    }

    /// <summary>Endpoint metadata: this endpoint always needs the key (the OpenAPI document states it).</summary>
    public sealed class Required;

    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Unauthorized(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: detail);
}
