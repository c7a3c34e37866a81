using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;

namespace CreditRisk.Trainer.Export;

/// <summary>What the graph imputes for a missing number: the training mean, as ML.NET's ReplaceMissingValues computes it (in the card for readers of the file).</summary>
public static class Imputation
{
    public static IReadOnlyDictionary<string, double> Means(DatasetSpec spec, IReadOnlyList<CreditRecord> rows) =>
        spec.Inputs.Where(f => f.IsNumber && f.MayBeMissing).ToDictionary(
            f => f.Name,
            f =>
            {
                var i = spec.IndexOf(f);
                var present = rows.Select(r => r.Numbers[i]).Where(float.IsFinite).ToArray();
                return present.Length == 0 ? 0 : present.Average(v => (double)v);
            });
}
