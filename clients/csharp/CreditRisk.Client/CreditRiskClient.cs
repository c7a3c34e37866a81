using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CreditRisk.Client;

/// <summary>
/// The part of the client the OpenAPI document cannot generate: the API key, the batch form of POST /api/v1/outcomes
/// (the document's one operation takes one outcome or a batch, and NSwag generates a method for the first only), and
/// enum values outside their enum refused before they are sent. The rest is generated into obj/CreditRiskClient.g.cs.
/// </summary>
public partial class CreditRiskClient
{
    /// <summary>The header the server reads the key from (ApiKey:Key on the server).</summary>
    public const string ApiKeyHeader = "X-API-Key";

    private const string OutcomesPath = "api/v1/outcomes";

    private readonly string? _apiKey;

    /// <summary>A client that sends <paramref name="apiKey"/> as X-API-Key with every request: the decision and outcome
    /// endpoints always need it, monitoring whenever the server has a key, scoring only when the server requires it.</summary>
    /// <param name="httpClient">Its BaseAddress is the server, e.g. http://127.0.0.1:5000.</param>
    /// <param name="apiKey">The server's ApiKey:Key.</param>
    public CreditRiskClient(HttpClient httpClient, string apiKey)
        : this(httpClient)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        _apiKey = apiKey;
    }

    /// <summary>Feeds back a batch of up to 1,000 outcomes (POST /api/v1/outcomes with {"outcomes": [ … ]}); each
    /// result has its own status (200, 400 or 404), in order. Needs the API key.</summary>
    /// <exception cref="ApiException">The batch as a whole was refused (400 problem, 401, 413, 429, 503).</exception>
    public virtual async Task<OutcomeBatchResponse> PostOutcomeBatchAsync(OutcomeBatchRequest body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(OutcomesPath, UriKind.Relative));
        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, JsonSerializerSettings));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        PrepareRequest(_httpClient, request, OutcomesPath);
        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        ProcessResponse(_httpClient, response);
        var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => h.Value);
        var status = (int)response.StatusCode;
        if (status == 200)
        {
            var ok = await ReadObjectResponseAsync<OutcomeBatchResponse>(response, headers, cancellationToken).ConfigureAwait(false);
            return ok.Object ?? throw new ApiException("Response was null which was not expected.", status, ok.Text, headers, null);
        }

        if (status == 400)
        {
            var invalid = await ReadObjectResponseAsync<HttpValidationProblemDetails>(response, headers, cancellationToken).ConfigureAwait(false);
            throw new ApiException<HttpValidationProblemDetails>("Bad Request", status, invalid.Text, headers, invalid.Object, null);
        }

        var problem = await ReadObjectResponseAsync<ProblemDetails>(response, headers, cancellationToken).ConfigureAwait(false);
        throw new ApiException<ProblemDetails>(response.ReasonPhrase ?? "The request was refused", status, problem.Text, headers, problem.Object, null);
    }

    partial void PrepareRequest(HttpClient client, HttpRequestMessage request, string url)
    {
        if (_apiKey is not null)
        {
            request.Headers.Add(ApiKeyHeader, _apiKey);
        }
    }

    // NSwag puts JsonStringEnumConverter<T> on every enum property, which writes a value outside the enum, such as
    // (ApplicantPurpose)99, as the number 99 and sends it. Without those attributes the options' converter applies,
    // which refuses numbers: such a value is a JsonException before any request is made.
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings)
    {
        settings.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        settings.TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { NamedEnumValuesOnly } };
    }

    private static void NamedEnumValuesOnly(JsonTypeInfo type)
    {
        foreach (var property in type.Properties)
        {
            if ((Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType).IsEnum)
            {
                property.CustomConverter = null;
            }
        }
    }
}
