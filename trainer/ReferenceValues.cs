using CreditRisk.Contracts;

namespace CreditRisk.Trainer;

/// <summary>
/// The reason-code baseline: per attribute, the value that gives the lowest mean PD when substituted into every
/// training row (partial dependence). Categories try every value seen in training; numerics try their distinct
/// observed values (at most 25, spread by quantile). Attributes left out of training get their most common value.
/// </summary>
public static class ReferenceValues
{
    private const int MaxNumericCandidates = 25;

    public static Applicant Find(FittedModel model, IReadOnlyList<CreditRecord> rows, IReadOnlyCollection<string> excluded)
    {
        var reference = rows[0];
        foreach (var f in FeatureSchema.All)
        {
            var candidates = Candidates(f, rows);
            if (excluded.Contains(f.Name))
            {
                var mode = rows.GroupBy(r => Key(f, r)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().First();
                reference = Copy(f, mode, reference);
                continue;
            }

            var best = candidates
                .Select(c => (Row: c, MeanPd: model.Predict(rows.Select(r => Copy(f, c, r)).ToArray()).Average(p => (double)p)))
                .OrderBy(x => x.MeanPd)
                .First();
            reference = Copy(f, best.Row, reference);
        }

        return reference.ToApplicant();
    }

    private static string Key(Feature f, CreditRecord r) =>
        f.IsCategorical ? r.Category(f.Name) : r.Number(f.Name).ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static CreditRecord Copy(Feature f, CreditRecord from, CreditRecord to) =>
        f.IsCategorical ? to.With(f.Name, from.Category(f.Name)) : to.With(f.Name, number: from.Number(f.Name));

    /// <summary>Rows carrying each candidate value of <paramref name="f"/> (one row per value, in a fixed order).</summary>
    private static CreditRecord[] Candidates(Feature f, IReadOnlyList<CreditRecord> rows)
    {
        if (f.IsCategorical)
        {
            return f.AllowedValues.Select(v => rows.FirstOrDefault(r => r.Category(f.Name) == v)).OfType<CreditRecord>().ToArray();
        }

        var values = rows.Select(r => r.Number(f.Name)).Distinct().Order().ToArray();
        if (values.Length > MaxNumericCandidates)
        {
            values = Enumerable.Range(0, MaxNumericCandidates)
                .Select(i => values[(int)Math.Round(i * (values.Length - 1) / (double)(MaxNumericCandidates - 1))])
                .Distinct()
                .ToArray();
        }

        return values.Select(v => rows[0].With(f.Name, number: v)).ToArray();
    }
}
