using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using Microsoft.ML;

namespace CreditRisk.Trainer.Selection;

/// <summary>
/// A fitted PD model: one ML.NET pipeline, or several (an ensemble) whose calibrated PDs are averaged. The mean is
/// taken in <see cref="float"/>, member by member in order, the same arithmetic as the ONNX <c>Mean</c> node the
/// export ends with (<see cref="Export.OnnxEnsemble"/>).
/// </summary>
public sealed class FittedModel(DatasetSpec spec, IReadOnlyList<ITransformer> members)
{
    public DatasetSpec Spec { get; } = spec;

    public IReadOnlyList<ITransformer> Members { get; } = members.Count > 0 ? members : throw new ArgumentException("A model needs at least one member.", nameof(members));

    /// <summary>The pre-registered recalibration step after the mean (docs/preregistration.md), when the rule added it.</summary>
    public Platt? Recalibration { get; init; }

    public float[] Predict(IReadOnlyList<CreditRecord> rows)
    {
        var mean = Mean(Members.Select(m => Training.Predict(m, Spec, rows)).ToArray());
        return Recalibration?.Apply(mean) ?? mean;
    }

    /// <summary>Element-wise mean of equally long PD arrays.</summary>
    public static float[] Mean(IReadOnlyList<float[]> pds)
    {
        if (pds.Count == 1)
        {
            return pds[0];
        }

        var mean = new float[pds[0].Length];
        for (var i = 0; i < mean.Length; i++)
        {
            var sum = 0f;
            foreach (var pd in pds)
            {
                sum += pd[i];
            }

            mean[i] = sum / pds.Count;
        }

        return mean;
    }

    /// <summary>Mean of out-of-fold PDs (one array per repeat) of several candidates scored on the same folds.</summary>
    public static float[][] Mean(IReadOnlyList<float[][]> outOfFold) =>
        Enumerable.Range(0, outOfFold[0].Length).Select(r => Mean(outOfFold.Select(o => o[r]).ToArray())).ToArray();
}
