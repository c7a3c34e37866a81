using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace CreditRisk.Trainer.Selection;

/// <summary>Fits and scores candidate pipelines. Every fit gets its own <see cref="MLContext"/> seeded the same way, so
/// a fit's result does not depend on what ran before it.</summary>
public sealed class Training(DatasetSpec spec, int seed)
{
    public DatasetSpec Spec { get; } = spec;

    public int Seed { get; } = seed;

    /// <summary>Fits that run at once: the cores, at most 4 (each fit holds its own copy of the fold's features).</summary>
    public static int Cores { get; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>How many folds of one cross-validation run at once: <see cref="Cores"/> for the selection CV, 1 inside
    /// the nested CV's outer folds (which already run <see cref="Cores"/> at once).</summary>
    public int FoldsAtOnce { get; init; } = 1;

    public MLContext NewContext() => new(seed: Seed);

    /// <summary>Fits a candidate, or every member of an ensemble.</summary>
    public FittedModel FitModel(Candidate candidate, IReadOnlyList<CreditRecord> rows)
    {
        // Members at once (up to FoldsAtOnce): each fit has its own seeded context and its own slot.
        IReadOnlyList<Candidate> members = candidate.Kind == LearnerKind.Ensemble ? candidate.Members : [candidate];
        var fitted = new ITransformer[members.Count];
        Parallel.For(0, members.Count, new ParallelOptions { MaxDegreeOfParallelism = FoldsAtOnce }, m => fitted[m] = Fit(members[m], rows));
        return new(Spec, fitted) { Recalibration = candidate.Recalibration };
    }

    public ITransformer Fit(Candidate candidate, IReadOnlyList<CreditRecord> rows)
    {
        var ml = NewContext();
        return candidate.BuildPipeline(ml, Spec).Fit(new CreditDataView(Spec, rows, withLabel: true));
    }

    /// <summary>Calibrated PD (ML.NET's <c>Probability</c>) for each row.</summary>
    public static float[] Predict(ITransformer model, DatasetSpec spec, IReadOnlyList<CreditRecord> rows) =>
        model.Transform(new CreditDataView(spec, rows, withLabel: false))
            .GetColumn<float>("Probability")
            .ToArray();

    /// <summary>Out-of-fold PDs, one array per repeat (every row is scored once per repeat).</summary>
    public float[][] OutOfFold(Candidate candidate, IReadOnlyList<CreditRecord> rows, IReadOnlyList<Fold> folds, Action? onFold = null)
    {
        if (candidate.Kind == LearnerKind.Ensemble)
        {
            return FittedModel.Mean(candidate.Members.Select(m => OutOfFold(m, rows, folds, onFold)).ToArray());
        }

        var repeats = folds.Max(f => f.Repeat) + 1;
        var pd = Enumerable.Range(0, repeats).Select(_ => new float[rows.Count]).ToArray();
        // Folds may run at once: each fit has its own seeded context and each fold writes only its own test rows, so
        // the PDs are the same whatever the order (issue 31; docs/preregistration.md).
        Parallel.ForEach(folds, new ParallelOptions { MaxDegreeOfParallelism = FoldsAtOnce }, fold =>
        {
            var model = Fit(candidate, fold.Train.Select(i => rows[i]).ToArray());
            var scores = Predict(model, Spec, fold.Test.Select(i => rows[i]).ToArray());
            for (var j = 0; j < fold.Test.Length; j++)
            {
                pd[fold.Repeat][fold.Test[j]] = scores[j];
            }

            onFold?.Invoke();
        });

        return pd;
    }
}
