using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Report;

/// <summary>How much the model leans on one input: out-of-fold loss of skill when that input's values are shuffled.</summary>
public sealed record FeatureImportance(string Feature, string Label, double LogLossIncrease, double AucDrop);

/// <summary>How often an attribute is among a reject's reasons (of all rejects).</summary>
public sealed record ReasonFrequency(string Code, string Feature, string Text, int Rejects, double ShareOfRejects);

/// <summary>
/// Global explanations for the report: permutation importance on out-of-fold data, and how often each reason code is
/// given. Reasons follow the server's rule (server/Scoring/Scorer.cs): each input alone set to the reference value,
/// impact = PD minus the new PD, the positive ones largest first, at most <see cref="Reason.MaxPerReject"/>.
/// </summary>
public static class Explanations
{
    /// <summary>
    /// For each of <paramref name="folds"/> stratified folds (the first repeat of the selection folds), the procedure's
    /// model is refit without the fold; each input in turn is shuffled within the fold (seeded) and the fold rescored.
    /// The figures are the pooled increase in log loss and drop in AUC against the unshuffled fold.
    /// </summary>
    public static IReadOnlyList<FeatureImportance> PermutationImportance(Training training, Candidate model, IReadOnlyList<CreditRecord> rows, int folds, int seed)
    {
        var spec = training.Spec;
        var isBad = rows.Select(r => r.IsBad).ToArray();
        var inputs = spec.Inputs.ToArray();
        var basePd = new float[rows.Count];
        var shuffledPd = inputs.Select(_ => new float[rows.Count]).ToArray();
        // Folds at once on free cores: each writes only its own test rows and seeds its own shuffles, so the figures
        // do not depend on the order.
        Parallel.ForEach(CrossValidation.StratifiedFolds(isBad, folds, 1, seed), new ParallelOptions { MaxDegreeOfParallelism = Training.Cores }, fold =>
        {
            var fitted = training.FitModel(model, fold.Train.Select(i => rows[i]).ToArray());
            var test = fold.Test.Select(i => rows[i]).ToArray();
            var pd = fitted.Predict(test);
            for (var j = 0; j < test.Length; j++)
            {
                basePd[fold.Test[j]] = pd[j];
            }

            for (var k = 0; k < inputs.Length; k++)
            {
                var position = spec.IndexOf(inputs[k]);
                var order = Enumerable.Range(0, test.Length).ToArray();
                new Random(seed + 31 * fold.Index + k).Shuffle(order);
                var shuffled = fitted.Predict(test.Select((r, j) => r.WithValueOf(position, test[order[j]])).ToArray());
                for (var j = 0; j < test.Length; j++)
                {
                    shuffledPd[k][fold.Test[j]] = shuffled[j];
                }
            }
        });

        var baseLoss = LogLoss(basePd, isBad);
        var baseAuc = Metrics.Auc(basePd, isBad);
        return [.. inputs.Select((f, k) => new FeatureImportance(f.Name, f.Text, LogLoss(shuffledPd[k], isBad) - baseLoss, baseAuc - Metrics.Auc(shuffledPd[k], isBad)))
            .OrderByDescending(x => x.LogLossIncrease)];
    }

    /// <summary>The reasons the shipped model gives the rejects among <paramref name="rows"/>, counted by attribute.</summary>
    public static IReadOnlyList<ReasonFrequency> ReasonFrequencies(FittedModel model, CreditRecord reference, IReadOnlyList<CreditRecord> rows, double threshold, out int rejects)
    {
        var spec = model.Spec;
        var pd = model.Predict(rows);
        var rejected = Enumerable.Range(0, rows.Count).Where(i => Decisions.Rejects(pd[i], threshold)).ToArray();
        rejects = rejected.Length;
        var counts = spec.Inputs.ToDictionary(f => f.Name, _ => 0);
        var inputs = spec.Inputs.Select(f => (Feature: f, Position: spec.IndexOf(f))).ToArray();

        // One variant per reject and input (the reference value substituted), scored a chunk of rejects at a time: the
        // counts are the same, and a million-loan book never holds a copy of every reject per input at once (issue 31).
        foreach (var chunk in rejected.Chunk(ReasonChunk))
        {
            var variants = chunk.SelectMany(i => inputs.Select(x => rows[i].WithValueOf(x.Position, reference))).ToArray();
            var variantPd = model.Predict(variants);
            for (var r = 0; r < chunk.Length; r++)
            {
                var top = inputs.Select((x, k) => (x.Feature, x.Position, Impact: pd[chunk[r]] - (double)variantPd[r * inputs.Length + k]))
                    .Where(x => x.Impact > 0)
                    .OrderByDescending(x => x.Impact)
                    .ThenBy(x => x.Position)
                    .Take(Reason.MaxPerReject);
                foreach (var x in top)
                {
                    counts[x.Feature.Name]++;
                }
            }
        }

        var total = Math.Max(1, rejects);
        return [.. inputs.Where(x => counts[x.Feature.Name] > 0)
            .Select(x => new ReasonFrequency(spec.ReasonCode(x.Feature), x.Feature.Name, x.Feature.ReasonText, counts[x.Feature.Name], counts[x.Feature.Name] / (double)total))
            .OrderByDescending(x => x.Rejects).ThenBy(x => x.Code, StringComparer.Ordinal)];
    }

    /// <summary>Rejects scored per call in <see cref="ReasonFrequencies"/>.</summary>
    private const int ReasonChunk = 4096;

    public static double LogLoss(IReadOnlyList<float> pd, IReadOnlyList<bool> isBad) =>
        Enumerable.Range(0, pd.Count).Average(i =>
        {
            var p = Math.Clamp((double)pd[i], Platt.Epsilon, 1 - Platt.Epsilon);
            return isBad[i] ? -Math.Log(p) : -Math.Log(1 - p);
        });
}
