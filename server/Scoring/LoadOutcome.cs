namespace CreditRisk.Server.Scoring;

/// <summary>The outcome of a load: the version now serving, whether it was swapped in, or why the new one was refused.</summary>
public sealed record LoadOutcome(string Name, string? Version, bool Swapped, string? Refused);

/// <summary>A repository entry as the repository API's index lists it: READY or UNAVAILABLE and, when it does not serve, why.</summary>
public sealed record RepositoryState(string Name, string Version, string State, string Reason);
