using System.Globalization;
using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Server.Records;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// The oversight figures of a monitoring window (<see cref="OversightFigures"/>, issue 30). Pure, like the rest of the
/// report. An override is an automated approve or reject whose decision in force (the latest review's) is the other; a
/// referred decision's review decides it and overrides nothing.
/// </summary>
public static class OversightCounts
{
    public const string Model = "model";
    public const string Reviewer = "reviewer";

    /// <summary>Null when no decision of the window was referred or reviewed: there is no oversight to report yet.</summary>
    public static OversightFigures? Of(ModelCard card, IReadOnlyList<WindowDecision> window, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> applicants, int minGroupSize)
    {
        if (!window.Any(d => d.Decision == Decisions.Refer || d.Reviewed is not null))
        {
            return null;
        }

        var months = window.GroupBy(d => d.DecidedAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var (decisions, referred, automated, overridden) = Count(g);
                return new OversightPeriod(g.Key, decisions, referred, (double)referred / decisions, automated, overridden, Rate(overridden, automated));
            })
            .ToArray();
        var all = Count(window);
        return new OversightFigures(
            all.Decisions,
            all.Referred,
            (double)all.Referred / all.Decisions,
            window.Count(d => d.Decision == Decisions.Refer && d.Reviewed is null),
            all.Automated,
            all.Overridden,
            Rate(all.Overridden, all.Automated),
            months,
            GroupsOf(card, window, applicants, minGroupSize),
            OutcomesOf(window),
            CostOf(card, window));
    }

    public static bool IsAutomated(WindowDecision d) => d.Decision is Decisions.Approve or Decisions.Reject;

    public static bool IsOverridden(WindowDecision d) => IsAutomated(d) && d.Reviewed is not null && d.Reviewed != d.Decision;

    /// <summary>The decision in force: the latest review's, else the automated one.</summary>
    public static string Final(WindowDecision d) => d.Reviewed ?? d.Decision ?? (d.Rejected ? Decisions.Reject : Decisions.Approve);

    private static (int Decisions, int Referred, int Automated, int Overridden) Count(IEnumerable<WindowDecision> decisions)
    {
        int n = 0, referred = 0, automated = 0, overridden = 0;
        foreach (var d in decisions)
        {
            n++;
            referred += d.Decision == Decisions.Refer ? 1 : 0;
            automated += IsAutomated(d) ? 1 : 0;
            overridden += IsOverridden(d) ? 1 : 0;
        }

        return (n, referred, automated, overridden);
    }

    private static double? Rate(int count, int of) => of == 0 ? null : (double)count / of;

    /// <summary>Per protected category attribute that requests sent (numbers' groups are the approval figures' deciles, not repeated here).</summary>
    private static OversightGroups[] GroupsOf(ModelCard card, IReadOnlyList<WindowDecision> window, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> applicants, int minGroupSize)
    {
        var result = new List<OversightGroups>();
        foreach (var feature in card.Dataset.Protected.Where(f => f.IsCategory))
        {
            var groups = Enumerable.Range(0, window.Count)
                .Select(i => (Group: Distribution.CategoryOf(applicants[i], feature.Name), Decision: window[i]))
                .Where(p => p.Group is not null)
                .GroupBy(p => p.Group!, StringComparer.Ordinal)
                .OrderBy(g => feature.Values.ToList().FindIndex(v => v.Value == g.Key))
                .Select(g =>
                {
                    var (decisions, referred, automated, overridden) = Count(g.Select(p => p.Decision));
                    return decisions < minGroupSize
                        ? new OversightGroup(g.Key, decisions, null, null, Suppressed: true)
                        : new OversightGroup(g.Key, decisions, (double)referred / decisions, Rate(overridden, automated));
                })
                .ToArray();
            if (groups.Length > 0)
            {
                result.Add(new OversightGroups(feature.Name, groups));
            }
        }

        return [.. result];
    }

    private static OversightOutcome[] OutcomesOf(IReadOnlyList<WindowDecision> window) => window
        .GroupBy(d => (Decision: Final(d), By: d.Reviewed is null ? Model : Reviewer))
        .OrderBy(g => g.Key.Decision, StringComparer.Ordinal).ThenBy(g => g.Key.By, StringComparer.Ordinal)
        .Select(g =>
        {
            var matured = g.Count(d => d.Defaulted is not null);
            var defaulted = g.Count(d => d.Defaulted == true);
            return new OversightOutcome(g.Key.Decision, g.Key.By, g.Count(), matured, defaulted, matured == 0 ? null : (double)defaulted / matured);
        })
        .ToArray();

    /// <summary>Realised cost of the matured overridden decisions as the reviewers decided them and as the model had.</summary>
    private static OverrideCost CostOf(ModelCard card, IReadOnlyList<WindowDecision> window)
    {
        var matured = window.Where(d => IsOverridden(d) && d.Defaulted is not null).ToArray();
        var money = card.Economics?.Basis == DecisionEconomics.Loan && matured.All(d => d.Money is { Loss: not null, Margin: not null });
        var unit = money ? card.Economics!.Currency ?? "money" : "cost weights";
        double Cost(WindowDecision d, string decision) => (decision, d.Defaulted!.Value) switch
        {
            (Decisions.Approve, true) => money ? d.Money!.Loss!.Value : card.CostFalseNegative,
            (Decisions.Reject, false) => money ? d.Money!.Margin!.Value : card.CostFalsePositive,
            _ => 0,
        };
        return matured.Length == 0
            ? new OverrideCost(0, unit, null, null)
            : new OverrideCost(matured.Length, unit, matured.Average(d => Cost(d, d.Reviewed!)), matured.Average(d => Cost(d, d.Decision!)));
    }
}
