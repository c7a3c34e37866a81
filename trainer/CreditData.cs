using System.Security.Cryptography;
using CreditRisk.Contracts;

namespace CreditRisk.Trainer;

/// <summary>
/// One applicant as the trainer sees it: categorical values in the contract's readable form, numerics as float,
/// both in <see cref="FeatureSchema.All"/> order, plus the outcome (true = bad = defaulted).
/// </summary>
public sealed record CreditRecord(IReadOnlyList<string?> Categories, IReadOnlyList<float> Numbers, bool IsBad)
{
    /// <summary>The value of a categorical attribute by schema name.</summary>
    public string Category(string name) => Categories[FeatureSchema.Get(name).Index - 1]!;

    /// <summary>The value of a numeric attribute by schema name.</summary>
    public float Number(string name) => Numbers[FeatureSchema.Get(name).Index - 1];

    /// <summary>A copy with one attribute replaced (edge rows, reference values, partial dependence).</summary>
    public CreditRecord With(string name, string? category = null, float number = 0)
    {
        var i = FeatureSchema.Get(name).Index - 1;
        if (FeatureSchema.Get(name).IsCategorical)
        {
            var categories = Categories.ToArray();
            categories[i] = category;
            return this with { Categories = categories };
        }

        var numbers = Numbers.ToArray();
        numbers[i] = number;
        return this with { Numbers = numbers };
    }

    /// <summary>The record as a contract <see cref="Applicant"/> (numerics must be whole numbers).</summary>
    public Applicant ToApplicant()
    {
        var applicant = Applicant.Example;
        foreach (var f in FeatureSchema.All)
        {
            applicant = f.IsCategorical
                ? applicant.With(f.Name, Categories[f.Index - 1])
                : applicant.With(f.Name, number: checked((int)Numbers[f.Index - 1]));
        }

        return applicant;
    }

    public static CreditRecord FromApplicant(Applicant a, bool isBad = false) => new(
        FeatureSchema.All.Select(f => f.IsCategorical ? a.Category(f.Index) : null).ToArray(),
        FeatureSchema.All.Select(f => f.IsCategorical ? 0f : a.Number(f.Index)).ToArray(),
        isBad);
}

/// <summary>The UCI Statlog German Credit file, read once and mapped to the contract's readable values.</summary>
public sealed class CreditData
{
    private CreditData(IReadOnlyList<CreditRecord> rows, string sha256)
    {
        Rows = rows;
        Sha256 = sha256;
    }

    public IReadOnlyList<CreditRecord> Rows { get; }

    /// <summary>SHA-256 of the file's bytes, hex, lower case: written into the model card.</summary>
    public string Sha256 { get; }

    public static CreditData Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"German credit data not found at '{path}'.", path);
        }

        var bytes = File.ReadAllBytes(path);
        var rows = new List<CreditRecord>();
        using var reader = new StringReader(System.Text.Encoding.ASCII.GetString(bytes));
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            rows.Add(Parse(line));
        }

        return new CreditData(rows, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>One line of german.data: 20 attributes (UCI codes or integers), then 1 = good, 2 = bad.</summary>
    public static CreditRecord Parse(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != FeatureSchema.All.Count + 1)
        {
            throw new FormatException($"Expected {FeatureSchema.All.Count + 1} fields, got {fields.Length}: '{line}'.");
        }

        var categories = new string?[FeatureSchema.All.Count];
        var numbers = new float[FeatureSchema.All.Count];
        foreach (var f in FeatureSchema.All)
        {
            var raw = fields[f.Index - 1];
            if (f.IsCategorical)
            {
                categories[f.Index - 1] = FeatureSchema.FromUciCode(f.Name, raw);
            }
            else
            {
                numbers[f.Index - 1] = int.Parse(raw, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var outcome = fields[^1];
        var isBad = outcome switch
        {
            "1" => false,
            "2" => true,
            _ => throw new FormatException($"Outcome must be 1 (good) or 2 (bad), got '{outcome}'."),
        };
        return new CreditRecord(categories, numbers, isBad);
    }
}
