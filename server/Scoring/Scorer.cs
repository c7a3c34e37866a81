using System.Buffers;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// Turns model probabilities into decisions, expected costs and, for rejects, adverse-action reasons
/// (<see cref="ReferenceSwapReasons"/>): the applicants in one ONNX Runtime run, all rejects' reason variants in a second.
/// A single request's two runs go through the <see cref="RunCoalescer"/>, so concurrent requests share runs.
/// </summary>
public sealed class Scorer(CreditModel model, IOptions<ScoringOptions> options)
{
    private readonly ScoringOptions _options = options.Value;
    private readonly ReferenceSwapReasons _reasons = new(model, options.Value.MaxReasons);
    private readonly RunCoalescer _coalescer = new(model, options.Value.CoalesceMaxRows);

    public CreditModel Model => model;

    /// <summary>Model runs that scored requests queued while every core was busy (<see cref="RunCoalescer"/>).</summary>
    public long GatheredRuns => _coalescer.GatheredRuns;

    public ScoreResult Score(ApplicantRow applicant) => Score([applicant])[0];

    /// <summary>One applicant, as <see cref="Score(ApplicantRow)"/>, its runs shared with concurrent requests (dynamic batching).</summary>
    public async Task<ScoreResult> ScoreAsync(ApplicantRow applicant)
    {
        var rows = new ModelRow[_options.Reasons ? 1 + _reasons.MaxVariants : 1];
        var probabilities = new float[rows.Length];
        rows[0] = new ModelRow(applicant);
        await _coalescer.PredictAsync(new(rows, 0, 1), new(probabilities, 0, 1));
        double pd = probabilities[0];
        IReadOnlyList<Reason> why = [];
        if (_options.Reasons && Decisions.Rejects(pd, model.ThresholdFor(applicant)))
        {
            var count = _reasons.AddVariants(applicant, rows.AsSpan(1));
            await _coalescer.PredictAsync(new(rows, 1, count), new(probabilities, 1, count));
            why = _reasons.Rank(pd, rows.AsSpan(1, count), probabilities.AsSpan(1, count));
        }

        return Result(applicant, pd, why);
    }

    public ScoreResult[] Score(IReadOnlyList<ApplicantRow> applicants)
    {
        var reasons = _options.Reasons;
        var rows = ArrayPool<ModelRow>.Shared.Rent(applicants.Count * (reasons ? 1 + _reasons.MaxVariants : 1));
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

            // Row layout after the applicants: the variants of each reject.
            var count = applicants.Count;
            if (reasons)
            {
                for (var i = 0; i < applicants.Count; i++)
                {
                    variantCounts[i] = Decisions.Rejects(probabilities[i], model.ThresholdFor(applicants[i]))
                        ? _reasons.AddVariants(applicants[i], rows.AsSpan(count))
                        : 0;
                    count += variantCounts[i];
                }

                model.Predict(rows.AsSpan(applicants.Count, count - applicants.Count), probabilities.AsSpan(applicants.Count, count - applicants.Count));
            }

            var results = new ScoreResult[applicants.Count];
            var variant = applicants.Count;
            for (var i = 0; i < applicants.Count; i++)
            {
                double pd = probabilities[i];
                var decision = Decisions.Decide(pd, model.ThresholdFor(applicants[i]));
                IReadOnlyList<Reason> why = [];
                if (reasons)
                {
                    if (decision == Decisions.Reject)
                    {
                        why = _reasons.Rank(pd, rows.AsSpan(variant, variantCounts[i]), probabilities.AsSpan(variant, variantCounts[i]));
                    }

                    variant += variantCounts[i];
                }

                results[i] = Result(applicants[i], pd, why);
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

    private ScoreResult Result(ApplicantRow applicant, double pd, IReadOnlyList<Reason> why) => Result(applicant, pd, model.ThresholdFor(applicant), why);

    /// <summary>The decision at the applicant's own threshold (<see cref="CreditModel.ThresholdFor"/>: loan-level economics), which the result reports.</summary>
    private ScoreResult Result(ApplicantRow applicant, double pd, double threshold, IReadOnlyList<Reason> why) => new(
        pd,
        Decisions.Decide(pd, threshold),
        threshold,
        new ExpectedCost(model.Card.CostFalseNegative * pd, model.Card.CostFalsePositive * (1 - pd)),
        model.Version,
        why,
        applicant.Ids);
}
