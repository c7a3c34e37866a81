using System.Buffers;
using System.Text.Json;
using Carter;
using CreditRisk.Server.Api;
using CreditRisk.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.OpenInference;

/// <summary>
/// The Model Repository extension of the Open Inference Protocol over REST (Triton's <c>/v2/repository</c>), with the
/// admin key: the index of the repository's models with whether each serves, and load / unload by name
/// (<see cref="RepositoryExtension"/>, shared with gRPC). Every refusal, a body that cannot be read included, is the
/// extension's 400 <c>{"error": …}</c>. A body may be empty, as the extension allows; its Content-Type is not checked,
/// since Triton reads the body as JSON whatever the header says and its users send it with <c>curl -d</c>.
/// </summary>
public sealed class V2RepositoryModule : ICarterModule
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        // As the other protocol routes: its contract is the extension's document, not openapi.yaml.
        var repository = app.MapApiGroup("/v2/repository", ApiAccess.Admin).WithTags("Open Inference Protocol").ExcludeFromDescription();
        repository.MapPost("/index", Index).WithName("V2RepositoryIndex").WithSummary("The repository's models and whether each serves (Model Repository extension)");
        repository.MapPost("/models/{name}/load", Load).WithName("V2RepositoryLoad").WithSummary("Load, verify and swap in a model's newest version (Model Repository extension)");
        repository.MapPost("/models/{name}/unload", Unload).WithName("V2RepositoryUnload").WithSummary("Stop serving a model (Model Repository extension)");
    }

    public static async Task<Results<Ok<IReadOnlyList<RepositoryIndexEntry>>, JsonHttpResult<V2Error>>> Index(
        HttpRequest request, RepositoryExtension repository, IOptions<LimitsOptions> limits)
    {
        var (body, error) = await ReadAsync(request, limits, ReadIndexRequest);
        if (error is not null || body.Error is not null)
        {
            return error ?? V2Module.Error(StatusCodes.Status400BadRequest, body.Error!);
        }

        return TypedResults.Ok(repository.Index(body.Ready));
    }

    public static async Task<Results<Ok, JsonHttpResult<V2Error>>> Load(string name, HttpRequest request, RepositoryExtension repository, IOptions<LimitsOptions> limits)
    {
        var (body, error) = await ReadAsync(request, limits, ReadParametersRequest);
        if (error is not null || body.Error is not null)
        {
            return error ?? V2Module.Error(StatusCodes.Status400BadRequest, body.Error!);
        }

        return Answer(await repository.LoadAsync(name, body.Parameters, request.HttpContext.RequestAborted));
    }

    public static async Task<Results<Ok, JsonHttpResult<V2Error>>> Unload(string name, HttpRequest request, RepositoryExtension repository, IOptions<LimitsOptions> limits)
    {
        var (body, error) = await ReadAsync(request, limits, ReadParametersRequest);
        if (error is not null || body.Error is not null)
        {
            return error ?? V2Module.Error(StatusCodes.Status400BadRequest, body.Error!);
        }

        return Answer(await repository.UnloadAsync(name, body.Parameters, request.HttpContext.RequestAborted));
    }

    private static Results<Ok, JsonHttpResult<V2Error>> Answer(RepositoryRefusal? refusal) =>
        refusal is null ? TypedResults.Ok() : V2Module.Error(StatusCodes.Status400BadRequest, refusal.Error);

    /// <summary>The body read by <paramref name="read"/>, or the extension's error for one too large or cut off.</summary>
    private static async Task<(T Body, JsonHttpResult<V2Error>? Error)> ReadAsync<T>(HttpRequest request, IOptions<LimitsOptions> limits, JsonBody.Reader<T> read)
    {
        var (body, problem) = await JsonBody.ReadAnyTypeAsync(request, limits.Value.MaxRequestBodyBytes, read, request.HttpContext.RequestAborted);
        return problem is null
            ? (body!, null)
            : (default!, V2Module.Error(problem.StatusCode, problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "the request was refused"));
    }

    private readonly record struct IndexRequest(bool Ready, string? Error);

    /// <summary>The index request: empty, or <c>{"ready": boolean}</c> (optional, false when left out).</summary>
    private static IndexRequest ReadIndexRequest(ReadOnlySequence<byte> body)
    {
        if (body.IsEmpty)
        {
            return new(false, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new(false, "the body must be empty or a JSON object: {\"ready\": boolean}");
            }

            var ready = false;
            foreach (var member in document.RootElement.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "ready" when member.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                        ready = member.Value.GetBoolean();
                        break;
                    case "ready":
                        return new(false, "'ready' must be a boolean (true lists only the models ready to infer)");
                    default:
                        return new(false, $"'{V2Module.Echo(member.Name)}' is not a field of the index request ({{\"ready\": boolean}}); unknown fields are rejected");
                }
            }

            return new(ready, null);
        }
        catch (JsonException e)
        {
            return new(false, NotJson(e));
        }
    }

    private readonly record struct ParametersRequest(IReadOnlyDictionary<string, object?> Parameters, string? Error);

    /// <summary>
    /// A load or unload request: empty, or <c>{"parameters": {name: value}}</c> with each value a string, a number or a
    /// boolean, as the protocol's parameters are (a whole number is an int64, like gRPC's int64_param). Which names an
    /// operation takes is <see cref="RepositoryExtension"/>'s rule.
    /// </summary>
    private static ParametersRequest ReadParametersRequest(ReadOnlySequence<byte> body)
    {
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (body.IsEmpty)
        {
            return new(parameters, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Fail("the body must be empty or a JSON object: {\"parameters\": {…}}");
            }

            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Name != "parameters")
                {
                    return Fail($"'{V2Module.Echo(member.Name)}' is not a field of the request ({{\"parameters\": {{…}}}}); unknown fields are rejected");
                }

                if (member.Value.ValueKind != JsonValueKind.Object)
                {
                    return Fail("'parameters' must be an object of name: value");
                }

                foreach (var parameter in member.Value.EnumerateObject())
                {
                    object? value = parameter.Value.ValueKind switch
                    {
                        JsonValueKind.True or JsonValueKind.False => parameter.Value.GetBoolean(),
                        JsonValueKind.String => parameter.Value.GetString(),
                        JsonValueKind.Number when parameter.Value.TryGetInt64(out var whole) => whole,
                        JsonValueKind.Number => parameter.Value.GetDouble(),
                        _ => null,
                    };
                    if (value is null)
                    {
                        return Fail($"parameters.{V2Module.Echo(parameter.Name)} must be a string, a number or a boolean");
                    }

                    parameters[parameter.Name] = value;
                }
            }

            return new(parameters, null);
        }
        catch (JsonException e)
        {
            return Fail(NotJson(e));
        }

        static ParametersRequest Fail(string error) => new(new Dictionary<string, object?>(), error);
    }

    private static string NotJson(JsonException e) => $"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})";
}
