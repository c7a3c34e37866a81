using CreditRisk.Server.Scoring;

namespace CreditRisk.Server.OpenInference;

/// <summary>
/// Triton's Model Repository extension of the Open Inference Protocol
/// (https://github.com/triton-inference-server/server/blob/main/docs/protocol/extension_model_repository.md): the
/// index, load and unload with their parameters, as one path that REST (<see cref="V2RepositoryModule"/>) and gRPC
/// (<see cref="GrpcInference"/>) both call, so a rule here holds on both. The work is the registry's
/// (<see cref="ModelRegistry"/>); this decides what the extension's requests may ask of it.
/// </summary>
public sealed class RepositoryExtension(ModelRegistry registry)
{
    public const string Name = "model_repository";

    /// <summary>The unload parameter of the extension's optional component.</summary>
    public const string UnloadDependents = "unload_dependents";

    /// <summary>The load parameter that would replace the model's configuration; refused here (see <see cref="LoadAsync"/>).</summary>
    public const string Config = "config";

    /// <summary>What Server Metadata reports: the extension, and its optional component, whose parameter unload accepts.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [Name, $"{Name}({UnloadDependents})"];

    /// <summary>Every model of the repository with whether it serves (READY or UNAVAILABLE) and reason; only the READY ones when <paramref name="ready"/>.</summary>
    public IReadOnlyList<RepositoryIndexEntry> Index(bool ready) =>
        [.. registry.Index().Where(s => !ready || s.State == "READY").Select(s => new RepositoryIndexEntry(s.Name, s.Version, s.State, s.Reason))];

    /// <summary>
    /// Loads the repository's newest version of the model (verified and warmed beside the serving one, then swapped in).
    /// The extension's one load parameter, "config", is refused: here a model's configuration is the card inside its
    /// ONNX file, covered by the file's content hash, and a configuration sent with the request would serve a model
    /// whose card says otherwise. Null when the model serves.
    /// </summary>
    public async Task<RepositoryRefusal?> LoadAsync(string model, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        if (Invalid(model, parameters, "load", allowed: null) is { } invalid)
        {
            return invalid;
        }

        var outcome = await registry.LoadAsync(model, cancellationToken);
        return outcome.Refused is { } refused ? new($"failed to load '{V2Scoring.Truncate(model)}': {refused}", BadRequest: false) : null;
    }

    /// <summary>
    /// Stops serving the model. "unload_dependents" (a boolean) is accepted and changes nothing: no model here loads
    /// another with it (no ensembles), and the one model another depends on, the default one the challenger shadows,
    /// cannot be unloaded at all. Null when done.
    /// </summary>
    public async Task<RepositoryRefusal?> UnloadAsync(string model, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        if (Invalid(model, parameters, "unload", allowed: UnloadDependents) is { } invalid)
        {
            return invalid;
        }

        return await registry.UnloadAsync(model, cancellationToken) is { } refused
            ? new($"failed to unload '{V2Scoring.Truncate(model)}': {refused}", BadRequest: false)
            : null;
    }

    /// <summary>
    /// Why a gRPC repository_name names no repository of this server, or null. The server has one repository: empty
    /// (the extension's "any") and that folder's own name both name it.
    /// </summary>
    public string? UnknownRepository(string repositoryName)
    {
        if (repositoryName.Length == 0)
        {
            return null;
        }

        var own = registry.Repository is { } root ? Path.GetFileName(Path.TrimEndingDirectorySeparator(root)) : null;
        return repositoryName == own
            ? null
            : $"unknown repository '{V2Scoring.Truncate(repositoryName)}'; this server has one repository{(own is null ? "" : $", '{own}'")}: leave repository_name empty";
    }

    /// <summary>A request the extension's rules refuse before the registry is asked: no model name, or a parameter this
    /// operation does not take (or takes with another type). <paramref name="allowed"/> is the one boolean parameter it takes.</summary>
    private static RepositoryRefusal? Invalid(string model, IReadOnlyDictionary<string, object?> parameters, string operation, string? allowed)
    {
        if (model.Length == 0)
        {
            return new("a model name is required", BadRequest: true);
        }

        foreach (var (name, value) in parameters)
        {
            if (name == allowed)
            {
                if (value is not bool)
                {
                    return new($"the {operation} parameter '{name}' must be a boolean", BadRequest: true);
                }
            }
            else if (operation == "load" && name == Config)
            {
                return new(
                    $"the load parameter '{Config}' is not supported: this server's model configuration is the card inside the model's ONNX file, " +
                    "covered by its content hash, so it cannot be replaced at load; place a new version in the repository and load that",
                    BadRequest: true);
            }
            else
            {
                return new(
                    $"'{V2Scoring.Truncate(name)}' is not a parameter of {operation}; " + (allowed is null ? "load takes none here" : $"{operation} takes '{allowed}' (a boolean)"),
                    BadRequest: true);
            }
        }

        return null;
    }
}

/// <summary>
/// Why a repository request was refused: the extension's error text, and whether the request itself was at fault (a
/// missing name, a bad parameter; gRPC INVALID_ARGUMENT) rather than what the repository holds (FAILED_PRECONDITION).
/// Over REST both are a 400 {"error": …}.
/// </summary>
public sealed record RepositoryRefusal(string Error, bool BadRequest);
