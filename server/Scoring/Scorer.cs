using System.Buffers;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// Turns model probabilities into decisions, expected costs and, for rejects, adverse-action reasons
/// (<see cref="ReferenceSwapReasons"/>): the applicants in one ONNX Runtime run, all rejects' reason variants in a second.
/// A single request's two runs go through the <see cref="RunCoalescer"/>, so concurrent requests share runs. With a
/// <see cref="ReferRule"/>, an applicant it refers is answered <see cref="Decisions.Refer"/> and carries reasons too (a
/// reviewer may decline it, and its notice names them).
/// </summary>
public sealed class Scorer(CreditModel model, IOptions<ScoringOptions> options, ReferRule? refer = null)
{
    private readonly ScoringOptions _options = options.Value;
    private readonly ReferenceSwapReasons _reasons = new(model, options.Value.MaxReasons);
    private readonly RunCoalescer _coalescer = new(model, options.Value.CoalesceMaxRows);
    private readonly PointsScale _points = model.Spec.Costs.Points ?? PointsScale.Default;

    public CreditModel Model => model;

    /// <summary>Model runs that scored requests queued while every core was busy (<see cref="RunCoalescer"/>).</summary>
    public long GatheredRuns => _coalescer.GatheredRuns;

    public ScoreResult Score(ApplicantRow applicant) => Score([applicant])[0];

    /// <summary>One applicant, as <see cref="Score(ApplicantRow)"/>, its runs shared with concurrent requests (dynamic batching).</summary>
    public async Task<ScoreResult> ScoreAsync(ApplicantRow applicant, StageClock? clock = null)
    {
        var rows = new ModelRow[_options.Reasons ? 1 + _reasons.MaxVariants : 1];
        var probabilities = new float[rows.Length];
        var decision = new GraphDecision[1];
        rows[0] = new ModelRow(applicant);
        await _coalescer.PredictAsync(new(rows, 0, 1), new(probabilities, 0, 1), decision);
        clock?.Lap(ScoringMetrics.ScoreStage);
        double pd = probabilities[0];
        var referred = refer?.Why(applicant, pd, decision[0]);
        IReadOnlyList<Reason> why = [];
        if (_options.Reasons && (!decision[0].Approve || referred is not null))
        {
            var count = _reasons.AddVariants(applicant, rows.AsSpan(1));
            await _coalescer.PredictAsync(new(rows, 1, count), new(probabilities, 1, count));
            why = _reasons.Rank(pd, rows.AsSpan(1, count), probabilities.AsSpan(1, count));
        }

        if (_options.Reasons)
        {
            clock?.Lap(ScoringMetrics.ReasonsStage);
        }

        return Result(applicant, pd, decision[0], why, referred);
    }

    /// <summary>A batch in one run (and its rejects' reasons in a second); <paramref name="clock"/> times the two.</summary>
    public ScoreResult[] Score(IReadOnlyList<ApplicantRow> applicants, StageClock? clock = null)
    {
        var reasons = _options.Reasons;
        var rows = ArrayPool<ModelRow>.Shared.Rent(applicants.Count * (reasons ? 1 + _reasons.MaxVariants : 1));
        var probabilities = ArrayPool<float>.Shared.Rent(rows.Length);
        var variantCounts = ArrayPool<int>.Shared.Rent(applicants.Count);
        var decisions = ArrayPool<GraphDecision>.Shared.Rent(applicants.Count);
        try
        {
            // First run: the applicants alone. Only rejects carry reasons, so the "what if" variants are scored in a
            // second run for rejects only: an approve costs one model row instead of one per input plus one (hot path).
            for (var i = 0; i < applicants.Count; i++)
            {
                rows[i] = new ModelRow(applicants[i]);
            }

            model.Predict(rows.AsSpan(0, applicants.Count), probabilities.AsSpan(0, applicants.Count), decisions.AsSpan(0, applicants.Count));
            clock?.Lap(ScoringMetrics.ScoreStage);

            // Row layout after the applicants: the variants of each reject.
            var count = applicants.Count;
            var referred = refer is { Enabled: true } ? new IReadOnlyList<string>?[applicants.Count] : null;
            if (referred is not null)
            {
                for (var i = 0; i < applicants.Count; i++)
                {
                    referred[i] = refer!.Why(applicants[i], probabilities[i], decisions[i]);
                }
            }

            if (reasons)
            {
                for (var i = 0; i < applicants.Count; i++)
                {
                    variantCounts[i] = !decisions[i].Approve || referred?[i] is not null
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
                IReadOnlyList<Reason> why = [];
                if (reasons)
                {
                    if (variantCounts[i] > 0)
                    {
                        why = _reasons.Rank(pd, rows.AsSpan(variant, variantCounts[i]), probabilities.AsSpan(variant, variantCounts[i]));
                    }

                    variant += variantCounts[i];
                }

                results[i] = Result(applicants[i], pd, decisions[i], why, referred?[i]);
            }

            if (reasons)
            {
                clock?.Lap(ScoringMetrics.ReasonsStage);
            }

            return results;
        }
        finally
        {
            ArrayPool<ModelRow>.Shared.Return(rows, clearArray: true);
            ArrayPool<float>.Shared.Return(probabilities);
            ArrayPool<int>.Shared.Return(variantCounts);
            ArrayPool<GraphDecision>.Shared.Return(decisions);
        }
    }

    /// <summary>
    /// The one place a decision's fields are filled in, for every transport (a new field is added here and in
    /// ScoreResult). The decision and the threshold are the graph's (<see cref="GraphDecision"/>): per applicant with
    /// loan-level economics. The expected costs are then the same amounts the decision weighs, approve = PD·loss and
    /// reject = (1 − PD)·margin, so approve is chosen exactly when it is not dearer; with constant costs, or when this
    /// applicant's economics cannot be computed (the card's threshold decides), they are the card's cost weights.
    /// </summary>
    private ScoreResult Result(ApplicantRow applicant, double pd, GraphDecision graph, IReadOnlyList<Reason> why, IReadOnlyList<string>? referred)
    {
        var money = model.Economics is not { } economics ? null
            : float.IsNaN(graph.Loss) || float.IsNaN(graph.Margin) ? new DecisionMoney(DecisionMoney.Fallback, economics.Currency, null, null, null)
            : new DecisionMoney(economics.Basis, economics.Currency, graph.ExpectedProfit, graph.Loss, graph.Margin);
        var cost = money is { Loss: { } loss, Margin: { } margin }
            ? new ExpectedCost(loss * pd, margin * (1 - pd))
            : new ExpectedCost(model.Card.CostFalseNegative * pd, model.Card.CostFalsePositive * (1 - pd));
        return new(
            pd,
            referred is not null ? Decisions.Refer : graph.Approve ? Decisions.Approve : Decisions.Reject,
            graph.Threshold,
            cost,
            model.Version,
            why,
            applicant.Ids,
            Money: money,
            // The graph's formula on the graph's PD, in C#: ORT's vectorised Log differs from its scalar one in the last
            // bits, so the graph's own points for one applicant could differ by 1e-4 between a single score and a batch.
            Points: model.HasDecisionOutputs ? _points.Points((float)pd) : null,
            Borderline: Decisions.IsBorderline(pd, graph.Threshold),
            ReferReasons: referred);
    }
}
