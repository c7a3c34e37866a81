namespace CreditRisk.Trainer.Selection;

/// <summary>A candidate's cross-validated result: pooled out-of-fold cost at its own best threshold.</summary>
public sealed record CandidateScore(int Index, string Name, double CostPerApplicant, double Threshold);

/// <summary>
/// Picks the candidate with the lowest pooled out-of-fold cost per applicant. Ties (equal cost to 1e-12) go to the
/// earlier candidate in the grid, which lists simpler models first.
/// </summary>
public static class SelectionRule
{
    public static CandidateScore Select(IReadOnlyList<CandidateScore> scores)
    {
        if (scores.Count == 0)
        {
            throw new ArgumentException("No candidates to select from.", nameof(scores));
        }

        var best = scores.Where(s => !double.IsNaN(s.CostPerApplicant)).MinBy(s => s.CostPerApplicant)
            ?? throw new ArgumentException("Every candidate's cost is NaN.", nameof(scores));
        return scores.Where(s => Math.Abs(s.CostPerApplicant - best.CostPerApplicant) <= 1e-12).MinBy(s => s.Index)!;
    }

    /// <summary>
    /// The pre-registered rule (docs/preregistration.md): <see cref="Select"/> inside each learner family, nothing
    /// chosen between families. The winners, in grid order, are the ensemble's members.
    /// </summary>
    public static IReadOnlyList<CandidateScore> PerFamily<TFamily>(IReadOnlyList<CandidateScore> scores, Func<CandidateScore, TFamily> familyOf)
    {
        if (scores.Count == 0)
        {
            throw new ArgumentException("No candidates to select from.", nameof(scores));
        }

        return scores.GroupBy(familyOf).Select(g => Select(g.ToArray())).OrderBy(s => s.Index).ToArray();
    }
}
