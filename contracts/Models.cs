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

/// <summary>
/// A change of the version a model serves, as GET /api/v1/models/{name}/events lists them: a swap (a load from the
/// repository), a promotion of the challenger or a rollback; for a forced promotion who asked and why; the checks as
/// they stood (JSON, null when none were run).
/// </summary>
public sealed record ModelEvent(
    DateTimeOffset At,
    string Model,
    string Action,
    string? FromVersion,
    string ToVersion,
    bool Forced,
    string? RequestedBy,
    string? Reason,
    IReadOnlyList<PromotionCheck>? Checks);

/// <summary>POST /api/v1/models/{name}/promote: <see cref="Force"/> promotes past failed checks, and then needs who asks and why.</summary>
public sealed record PromotionRequest(bool Force = false, string? RequestedBy = null, string? Reason = null);

/// <summary>One condition of the promotion runbook (docs/monitoring.md), whether it holds and the figures it was judged on.</summary>
public sealed record PromotionCheck(string Name, bool Passed, string Detail);

/// <summary>A promotion or rollback done: the version that served before and the one that serves now, and the checks.</summary>
public sealed record PromotionResult(string Model, string Action, string FromVersion, string ToVersion, bool Forced, IReadOnlyList<PromotionCheck> Checks);
