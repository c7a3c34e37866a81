namespace CreditRisk.Contracts;

/// <summary>GET /api/v1/models: every served model, and which one answers /api/v1/score.</summary>
public sealed record ModelList(string Default, IReadOnlyList<ModelSummary> Models);

/// <summary>
/// One served model: its name (as in /api/v1/models/{name}/score and /v2/models/{name}), the version serving now, the
/// repository's version folder it came from ("" for an unnumbered one), its title, learner and threshold, and when this
/// version started serving.
/// </summary>
public sealed record ModelSummary(
    string Name,
    string Version,
    string Folder,
    string Title,
    string Learner,
    double Threshold,
    DateTimeOffset ServingSince,
    bool IsDefault);
