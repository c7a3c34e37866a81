using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Export;

/// <summary>
/// The reason-code baseline: per model input, the value that gives the lowest mean PD when substituted into every
/// training row (partial dependence). Categories try every listed value seen in training; numbers try their distinct
/// observed values (at most 25, spread by quantile).
/// </summary>
public static class ReferenceValues
{
    private const int MaxNumericCandidates = 25;

    /// <summary>Partial dependence (and the report's permutation importance) use at most this many rows, evenly spaced
    /// through the file: every row of a book this size or smaller (German Credit, Lending Club: unchanged), a fixed
    /// tenth of 100,000. Over all rows partial dependence scored inputs × values × n rows through every member, which
    /// at 100,000 rows took longer than the training (issue 31's profile).</summary>
    public const int MaxRows = 10_000;

    /// <summary>The reference applicant's model inputs as request values (what the card carries).</summary>
    public static IReadOnlyDictionary<string, JsonElement> Values(DatasetSpec spec, CreditRecord reference) =>
        RequestValues(spec, reference, spec.Inputs);

    /// <summary>At most <see cref="MaxRows"/> rows, evenly spaced through the file (all of a smaller book): what the
    /// explanations (reference applicant, permutation importance) are computed on.</summary>
    public static IReadOnlyList<CreditRecord> Sample(IReadOnlyList<CreditRecord> rows) =>
        rows.Count <= MaxRows ? rows : [.. Enumerable.Range(0, MaxRows).Select(k => rows[(int)((long)k * rows.Count / MaxRows)])];

    /// <summary>The reference applicant as a record (its non-input attributes are the first row's).</summary>
    public static CreditRecord FindRecord(FittedModel model, IReadOnlyList<CreditRecord> rows)
    {
        var spec = model.Spec;
        var reference = rows[0];
        rows = Sample(rows);
        // Every (input, value) is scored on the same rows independently of the others, so they run on the free cores
        // at once; each input then takes its lowest mean PD, ties to the earlier value, as before.
        var tries = spec.Inputs.SelectMany(f => Candidates(spec, f, rows).Select(c => (Position: spec.IndexOf(f), Row: c))).ToArray();
        var meanPd = new double[tries.Length];
        Parallel.For(0, tries.Length, new ParallelOptions { MaxDegreeOfParallelism = Training.Cores }, t =>
            meanPd[t] = model.Predict(rows.Select(r => r.WithValueOf(tries[t].Position, tries[t].Row)).ToArray()).Average(p => (double)p));
        foreach (var position in spec.Inputs.Select(spec.IndexOf))
        {
            var best = Enumerable.Range(0, tries.Length).Where(t => tries[t].Position == position).OrderBy(t => meanPd[t]).First();
            reference = reference.WithValueOf(position, tries[best].Row);
        }

        return reference;
    }

    /// <summary>A record as request-shaped JSON values: a string for a category or id, a number for a number, null when missing.</summary>
    public static IReadOnlyDictionary<string, JsonElement> RequestValues(DatasetSpec spec, CreditRecord record, IEnumerable<FeatureSpec> features)
    {
        var values = new Dictionary<string, JsonElement>();
        foreach (var f in features)
        {
            var i = spec.IndexOf(f);
            var number = (double)record.Numbers[i];
            values[f.Name] = f.IsNumber
                ? double.IsNaN(number) ? JsonSerializer.SerializeToElement<double?>(null) : f.Kind == FeatureKind.Integer ? JsonSerializer.SerializeToElement((long)number) : JsonSerializer.SerializeToElement(record.Numbers[i])
                : JsonSerializer.SerializeToElement(record.Categories[i]);
        }

        return values;
    }

    /// <summary>Rows carrying each candidate value of <paramref name="f"/> (one row per value, in a fixed order).</summary>
    private static CreditRecord[] Candidates(DatasetSpec spec, FeatureSpec f, IReadOnlyList<CreditRecord> rows)
    {
        var i = spec.IndexOf(f);
        if (f.IsCategory)
        {
            return f.Values.Select(v => rows.FirstOrDefault(r => r.Categories[i] == v.Value)).OfType<CreditRecord>().ToArray();
        }

        var values = rows.Select(r => r.Numbers[i]).Where(float.IsFinite).Distinct().Order().ToArray();
        if (values.Length > MaxNumericCandidates)
        {
            values = Enumerable.Range(0, MaxNumericCandidates)
                .Select(k => values[(int)Math.Round(k * (values.Length - 1) / (double)(MaxNumericCandidates - 1))])
                .Distinct()
                .ToArray();
        }

        return values.Select(v => rows[0].With(i, number: v)).ToArray();
    }
}
