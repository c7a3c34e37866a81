namespace CreditRisk.Server.Records;

/// <summary>
/// One applicant scored by both models, as the store pairs them: each model's PD and served decision (each at its own
/// threshold), and the outcome once it has matured (null before).
/// </summary>
public readonly record struct PairedDecision(double ChampionPd, bool ChampionRejects, double ChallengerPd, bool ChallengerRejects, bool? IsBad);
