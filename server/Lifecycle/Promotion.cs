using CreditRisk.Contracts;
using CreditRisk.Server.Challenger;
using CreditRisk.Server.Hosting;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;
using CreditRisk.Server.Scoring;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Lifecycle;

/// <summary>What a promotion or rollback came to: done, refused (a status and why) or refused by the checks.</summary>
public sealed record PromotionOutcome(PromotionResult? Done, int Status, string? Refusal, IReadOnlyList<PromotionCheck> Checks);

/// <summary>
/// The challenger made champion in one step (issue 29 §3), after the runbook's checks (docs/monitoring.md): enough
/// matured pairs, the paired realised-cost interval wholly below 0, and the challenger calibrated on them. The
/// challenger's file is then loaded, verified and swapped in as the default model's next version like any new version
/// (<see cref="ModelRegistry.SwapInAsync"/>), and the change goes to the timeline with the checks, and for a forced
/// promotion who asked and why. Rollback restores the version served before.
/// </summary>
public sealed class Promotion(ModelRegistry registry, ShadowScorer shadow, DecisionStore store, IOptions<ChallengerOptions> options, IOptions<ModelOptions> model, ILogger<Promotion> logger)
{
    public async Task<PromotionOutcome> PromoteAsync(string name, PromotionRequest request, CancellationToken cancellationToken)
    {
        if (Refusal(name) is { } refusal)
        {
            return refusal;
        }

        var challenger = shadow.Challenger!;
        var champion = registry.Find(name)!.Model;
        if (champion.Version == challenger.Version)
        {
            return new(null, StatusCodes.Status409Conflict, $"'{name}' already serves the challenger {challenger.Version}.", []);
        }

        var pairs = await store.ReadPairsAsync(champion.Version, challenger.Version, options.Value.WindowDecisions, cancellationToken);
        var checks = Checks(pairs, champion);
        var failed = checks.Where(c => !c.Passed).ToList();
        if (failed.Count > 0 && !request.Force)
        {
            return new(null, StatusCodes.Status409Conflict,
                $"The challenger is not promoted: {string.Join("; ", failed.Select(c => $"{c.Name}: {c.Detail}"))}. Send \"force\": true with requestedBy and reason to promote anyway.",
                checks);
        }

        var change = new ModelEvent(default, name, "promote", null, challenger.Version, failed.Count > 0, request.RequestedBy, request.Reason, checks);
        var outcome = await registry.SwapInAsync(name, challenger.Path, "challenger", change, cancellationToken);
        if (outcome.Refused is { } refused)
        {
            return new(null, StatusCodes.Status409Conflict, $"The challenger's file was refused: {refused}", checks);
        }

        if (change.Forced)
        {
            Log.ForcedPromotion(logger, name, challenger.Version, request.RequestedBy!, request.Reason!);
        }

        return new(new PromotionResult(name, "promote", champion.Version, outcome.Version!, change.Forced, checks), StatusCodes.Status200OK, null, checks);
    }

    public async Task<PromotionOutcome> RollbackAsync(string name, PromotionRequest request, CancellationToken cancellationToken)
    {
        if (registry.Find(name) is not { } current)
        {
            return new(null, StatusCodes.Status404NotFound, $"No model named '{name}' is served.", []);
        }

        if (model.Value.PollSeconds > 0)
        {
            return new(null, StatusCodes.Status409Conflict, PollMode, []);
        }

        var change = new ModelEvent(default, name, "rollback", null, "", false, request.RequestedBy, request.Reason, null);
        var outcome = await registry.RollbackAsync(name, change, cancellationToken);
        return outcome switch
        {
            null => new(null, StatusCodes.Status409Conflict, $"'{name}' has served no other version in this process: nothing to roll back to.", []),
            { Refused: { } refused } => new(null, StatusCodes.Status409Conflict, $"The previous version's file was refused: {refused}", []),
            _ => new(new PromotionResult(name, "rollback", current.Model.Version, outcome.Version!, false, []), StatusCodes.Status200OK, null, []),
        };
    }

    private const string PollMode =
        "This server follows its model repository (Model:PollSeconds): a change made here would be undone at the next poll. Place the version in the repository instead.";

    private PromotionOutcome? Refusal(string name)
    {
        if (registry.Find(name) is null)
        {
            return new(null, StatusCodes.Status404NotFound, $"No model named '{name}' is served.", []);
        }

        if (shadow.Challenger is null)
        {
            return new(null, StatusCodes.Status404NotFound, "This server scores no challenger in shadow (Model:ChallengerPath): there is nothing to promote.", []);
        }

        if (name != registry.DefaultName)
        {
            return new(null, StatusCodes.Status404NotFound, $"The challenger shadows the default model '{registry.DefaultName}', not '{name}'.", []);
        }

        return model.Value.PollSeconds > 0 ? new(null, StatusCodes.Status409Conflict, PollMode, []) : null;
    }

    /// <summary>The runbook's three conditions on the window's pairs, each with the figures it was judged on.</summary>
    private List<PromotionCheck> Checks(IReadOnlyList<PairedDecision> pairs, CreditModel champion)
    {
        var minimum = options.Value.PromoteMinMatured;
        var comparison = ChampionChallenger.Compare(pairs, champion.Threshold, champion.Card.CostFalseNegative, champion.Card.CostFalsePositive);
        var matured = pairs.Where(p => p.IsBad is not null).ToList();
        var checks = new List<PromotionCheck>
        {
            new("matured", comparison.Matured >= minimum, $"{comparison.Matured} matured pairs of {comparison.Decisions} (at least {minimum})"),
            new("paired cost interval", comparison.Ci95High is < 0,
                comparison.Ci95Low is { } low && comparison.Ci95High is { } high
                    ? $"challenger minus champion {comparison.MeanCostDifference:0.####} per applicant, 95 % interval [{low:0.####}, {high:0.####}] (must lie wholly below 0)"
                    : "no interval below 2 matured pairs"),
        };
        if (matured.Count == 0)
        {
            checks.Add(new("calibration", false, "no matured pairs to judge it on"));
        }
        else
        {
            var predicted = matured.Average(p => p.ChallengerPd);
            var observed = matured.Average(p => p.IsBad!.Value ? 1.0 : 0.0);
            var gap = Math.Abs(predicted - observed);
            checks.Add(new("calibration", gap <= options.Value.PromoteMaxCalibrationGap,
                $"challenger's mean PD {predicted:0.####} against an observed default rate of {observed:0.####} (gap {gap:0.####}, at most {options.Value.PromoteMaxCalibrationGap})"));
        }

        return checks;
    }
}
