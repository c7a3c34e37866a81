using Carter;
using CreditRisk.Server.Api;
using CreditRisk.Server.Scoring;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CreditRisk.Server.OpenInference;

/// <summary>
/// The Model Repository extension of the Open Inference Protocol (Triton's <c>/v2/repository</c>), with the admin key:
/// the index of the repository's models with whether each serves, and load / unload by name. A load verifies and warms the
/// repository's newest version of the model beside the serving one and swaps it in (<see cref="ModelRegistry"/>); a
/// version that fails verification is a 400 {"error": …} naming why, and the serving version keeps serving.
/// </summary>
public sealed class V2RepositoryModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        // As the other protocol routes: its contract is the extension's document, not openapi.yaml.
        var repository = app.MapApiGroup("/v2/repository", ApiAccess.Admin).WithTags("Open Inference Protocol").ExcludeFromDescription();
        repository.MapPost("/index", Index).WithName("V2RepositoryIndex").WithSummary("The repository's models and whether each serves (Model Repository extension)");
        repository.MapPost("/models/{name}/load", Load).WithName("V2RepositoryLoad").WithSummary("Load, verify and swap in a model's newest version (Model Repository extension)");
        repository.MapPost("/models/{name}/unload", Unload).WithName("V2RepositoryUnload").WithSummary("Stop serving a model (Model Repository extension)");
    }

    public static Ok<RepositoryIndexEntry[]> Index(ModelRegistry registry) =>
        TypedResults.Ok(registry.Index().Select(s => new RepositoryIndexEntry(s.Name, s.Version, s.State, s.Reason)).ToArray());

    public static async Task<Results<Ok, JsonHttpResult<V2Error>>> Load(string name, ModelRegistry registry, CancellationToken cancellationToken)
    {
        var outcome = await registry.LoadAsync(name, cancellationToken);
        return outcome.Refused is { } refused ? V2Module.Error(StatusCodes.Status400BadRequest, $"failed to load '{V2Scoring.Truncate(name)}': {refused}") : TypedResults.Ok();
    }

    public static async Task<Results<Ok, JsonHttpResult<V2Error>>> Unload(string name, ModelRegistry registry, CancellationToken cancellationToken) =>
        await registry.UnloadAsync(name, cancellationToken) is { } refused
            ? V2Module.Error(StatusCodes.Status400BadRequest, $"failed to unload '{V2Scoring.Truncate(name)}': {refused}")
            : TypedResults.Ok();
}
