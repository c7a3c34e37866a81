using System.Buffers;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// Turns model probabilities into decisions, expected costs and adverse-action reasons. Reasons are model-agnostic:
/// each rejected applicant is scored again with one attribute at a time set to the model's reference (most favourable)
/// value, all rejects' variants in one second ONNX Runtime run; an attribute's impact is how much P(bad) would fall with that value.
/// </summary>
public sealed class Scorer(CreditModel model, IOptions<ScoringOptions> options)
{
    private readonly ScoringOptions _options = options.Value;
    private readonly int[] _inputs = model.Inputs;

    public CreditModel Model => model;

    public ScoreResult Score(ApplicantRow applicant) => Score([applicant])[0];

    public ScoreResult[] Score(IReadOnlyList<ApplicantRow> applicants)
    {
        var reasons = _options.Reasons;
        var reference = model.Reference;
        var rows = ArrayPool<ModelRow>.Shared.Rent(applicants.Count * (reasons ? 1 + _inputs.Length : 1));
        var probabilities = ArrayPool<float>.Shared.Rent(rows.Length);
        var variantCounts = ArrayPool<int>.Shared.Rent(applicants.Count);
        try
        {
            // First run: the applicants alone. Only rejects carry reasons, so the "what if" variants are scored in a
            // second run for rejects only: an approve costs one model row instead of one per input plus one (hot path).
            for (var i = 0; i < applicants.Count; i++)
            {
                rows[i] = new ModelRow(applicants[i]);
            }

            model.Predict(rows.AsSpan(0, applicants.Count), probabilities.AsSpan(0, applicants.Count));

            // Row layout after the applicants: the variants of each reject. A variant is skipped when the applicant
            // already has the reference value: its impact is zero by definition.
            var count = applicants.Count;
            if (reasons)
            {
                for (var i = 0; i < applicants.Count; i++)
                {
                    var before = count;
                    if (Decisions.Rejects(probabilities[i], model.Threshold))
                    {
                        foreach (var f in _inputs)
                        {
                            if (!SameValue(applicants[i], reference, f))
                            {
                                rows[count++] = new ModelRow(applicants[i], f);
                            }
                        }
                    }

                    variantCounts[i] = count - before;
                }

                model.Predict(rows.AsSpan(applicants.Count, count - applicants.Count), probabilities.AsSpan(applicants.Count, count - applicants.Count));
            }

            var results = new ScoreResult[applicants.Count];
            var variant = applicants.Count;
            for (var i = 0; i < applicants.Count; i++)
            {
                double pd = probabilities[i];
                var decision = Decisions.Decide(pd, model.Threshold);
                IReadOnlyList<Reason> why = [];
                if (reasons)
                {
                    if (decision == Decisions.Reject)
                    {
                        why = TopReasons(pd, rows.AsSpan(variant, variantCounts[i]), probabilities.AsSpan(variant, variantCounts[i]));
                    }

                    variant += variantCounts[i];
                }

                results[i] = new ScoreResult(
                    pd,
                    decision,
                    model.Threshold,
                    new ExpectedCost(model.Card.CostFalseNegative * pd, model.Card.CostFalsePositive * (1 - pd)),
                    model.Version,
                    why,
                    applicants[i].Ids);
            }

            return results;
        }
        finally
        {
            ArrayPool<ModelRow>.Shared.Return(rows, clearArray: true);
            ArrayPool<float>.Shared.Return(probabilities);
            ArrayPool<int>.Shared.Return(variantCounts);
        }
    }

    private Reason[] TopReasons(double pd, ReadOnlySpan<ModelRow> variants, ReadOnlySpan<float> probabilities)
    {
        var impacts = new List<(int Feature, double Impact)>(variants.Length);
        for (var v = 0; v < variants.Length; v++)
        {
            var impact = pd - probabilities[v];
            if (impact > 0)
            {
                impacts.Add((variants[v].SwappedFeature, impact));
            }
        }

        // Largest impact first; ties keep spec order so the same applicant always gets the same reasons.
        return [.. impacts
            .OrderByDescending(x => x.Impact)
            .ThenBy(x => x.Feature)
            .Take(_options.MaxReasons)
            .Select(x =>
            {
                var feature = model.Features[x.Feature];
                return new Reason(model.Spec.ReasonCode(feature), feature.Name, feature.ReasonText, x.Impact);
            })];
    }

    private bool SameValue(ApplicantRow applicant, ApplicantRow reference, int position) =>
        model.Features[position].IsCategory
            // The spec's own instances on both sides (or null for missing): reference equality would do, ordinal is as cheap.
            ? string.Equals(applicant.Categories[position], reference.Categories[position], StringComparison.Ordinal)
            // NaN (missing) equals NaN here: both would be imputed to the same value.
            : applicant.Numbers[position].Equals(reference.Numbers[position]);
}
