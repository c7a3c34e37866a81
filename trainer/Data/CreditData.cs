using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CreditRisk.Contracts;
using nietras.SeparatedValues;

namespace CreditRisk.Trainer.Data;

/// <summary>
/// One applicant as the trainer sees it, by spec position (<see cref="DatasetSpec.Features"/>): a category's value
/// (aliases resolved; null = missing) or an id's / protected attribute's text in <see cref="Categories"/>, a number
/// in <see cref="Numbers"/> (NaN = missing), plus the outcome (true = bad = defaulted).
/// </summary>
public sealed record CreditRecord(IReadOnlyList<string?> Categories, IReadOnlyList<float> Numbers, bool IsBad)
{
    /// <summary>A copy with one attribute replaced (edge rows, reference values, partial dependence).</summary>
    public CreditRecord With(int position, string? category = null, float number = 0)
    {
        var categories = Categories.ToArray();
        var numbers = Numbers.ToArray();
        categories[position] = category;
        numbers[position] = number;
        return this with { Categories = categories, Numbers = numbers };
    }

    /// <summary>A copy with attribute <paramref name="position"/> taken from <paramref name="from"/>.</summary>
    public CreditRecord WithValueOf(int position, CreditRecord from) => With(position, from.Categories[position], from.Numbers[position]);
}

/// <summary>A data file that does not match its spec: the message names the CSV line and column.</summary>
public sealed class CreditDataException(string message) : Exception(message);

/// <summary>A data set read through its spec: the rows, the spec, and the SHA-256 of the CSV's bytes.</summary>
public sealed partial class CreditData
{
    private CreditData(DatasetSpec spec, IReadOnlyList<CreditRecord> rows, string sha256, string fileName)
    {
        Spec = spec;
        Rows = rows;
        Sha256 = sha256;
        FileName = fileName;
    }

    public DatasetSpec Spec { get; }

    public IReadOnlyList<CreditRecord> Rows { get; }

    /// <summary>SHA-256 of the CSV's bytes, hex, lower case: written into the model card.</summary>
    public string Sha256 { get; }

    public string FileName { get; }

    /// <summary>Reads the spec at <paramref name="specPath"/> and the CSV it names (relative to the spec).</summary>
    public static CreditData Load(string specPath)
    {
        var spec = DatasetSpecSchema.Load(specPath);
        var csv = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(specPath))!, spec.Source.Path);
        if (!File.Exists(csv))
        {
            throw new CreditDataException($"{spec.Source.Path}: data file not found (source.path, relative to the spec)");
        }

        // Streamed: the hash reads the file once, the parser a second time line by line, so a book of a million loans
        // is never held as bytes and text beside its records (UCI's space-aligned files, small, still go through text).
        string sha256;
        using (var stream = File.OpenRead(csv))
        {
            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        if (spec.Source.Delimiter[0] == ' ')
        {
            return new CreditData(spec, Parse(spec, File.ReadAllText(csv, Encoding.UTF8), spec.Source.Path), sha256, Path.GetFileName(csv));
        }

        using var text = new StreamReader(csv, Encoding.UTF8);
        return new CreditData(spec, Parse(spec, text, spec.Source.Path), sha256, Path.GetFileName(csv));
    }

    /// <summary>Parses CSV text through the spec; every problem names the line and the column.</summary>
    public static IReadOnlyList<CreditRecord> Parse(DatasetSpec spec, string text, string origin)
    {
        var source = spec.Source;
        var delimiter = source.Delimiter[0];
        if (delimiter == ' ')
        {
            // UCI files align columns with runs of spaces; Sep takes exactly one separator, so runs become one.
            text = string.Join('\n', text.Split('\n').Select(l => MultipleSpaces().Replace(l.Trim(' ', '\r'), " ")));
        }

        using var reader = new StringReader(text);
        return Parse(spec, reader, origin);
    }

    /// <summary>Parses CSV read from <paramref name="text"/> through the spec, row by row.</summary>
    public static IReadOnlyList<CreditRecord> Parse(DatasetSpec spec, TextReader text, string origin)
    {
        var source = spec.Source;
        using var reader = Sep.New(source.Delimiter[0]).Reader(o => o with { HasHeader = source.Header, Unescape = true, DisableColCountCheck = true }).From(text);
        var columns = source.Header ? reader.Header.ColNames.ToArray() : source.Columns!.ToArray();
        int Column(string name, string field) => Array.IndexOf(columns, name) is var i and >= 0
            ? i
            : throw new CreditDataException($"{origin}: {field} '{name}' is not a column of the file (columns: {string.Join(", ", columns)})");

        var features = spec.Features;
        var slots = features.Select((f, i) => Column(f.CsvColumn, $"features[{i}].column")).ToArray();
        var target = Column(spec.Target.Column, "target.column");
        var rows = new List<CreditRecord>();
        foreach (var row in reader)
        {
            var line = row.LineNumberFrom;
            if (row.ColCount == 1 && row[0].Span.Trim().IsEmpty)
            {
                continue;
            }

            var cells = new string[row.ColCount];
            for (var c = 0; c < cells.Length; c++)
            {
                cells[c] = row[c].ToString().Trim();
            }

            string Cell(int slot, string column) => slot < cells.Length
                ? cells[slot]
                : throw new CreditDataException($"{origin} line {line}: column '{column}' is missing (the line has {cells.Length} fields)");

            var categories = new string?[features.Count];
            var numbers = new float[features.Count];
            for (var i = 0; i < features.Count; i++)
            {
                var f = features[i];
                var raw = Cell(slots[i], f.CsvColumn);
                if (source.IsMissing(raw))
                {
                    if (!f.MayBeMissing && f.Role != FeatureRole.Id)
                    {
                        throw new CreditDataException($"{origin} line {line}, column '{f.CsvColumn}': the value is missing, and features[{i}] ({f.Name}) has missing: refuse");
                    }

                    numbers[i] = float.NaN;
                    continue;
                }

                if (f.Role == FeatureRole.Id)
                {
                    categories[i] = raw;
                }
                else if (f.Role == FeatureRole.Date)
                {
                    // Kept as written; the out-of-time split reads it through DateValue again (one definition).
                    categories[i] = DateValue.TryParse(raw, out _) ? raw
                        : throw new CreditDataException($"{origin} line {line}, column '{f.CsvColumn}': '{raw}' {DateValue.Rule} (features[{i}], {f.Name})");
                }
                else if (f.Kind == FeatureKind.Category)
                {
                    categories[i] = f.Resolve(raw)
                        ?? throw new CreditDataException($"{origin} line {line}, column '{f.CsvColumn}': '{raw}' is not a value of features[{i}] ({f.Name}); listed: {string.Join(", ", f.Values.Select(v => v.Value))}");
                }
                else if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && f.Accepts(number))
                {
                    numbers[i] = (float)number;
                    categories[i] = f.Role == FeatureRole.Protected ? raw : null;
                }
                else
                {
                    throw new CreditDataException($"{origin} line {line}, column '{f.CsvColumn}': '{raw}' {f.NumberRule()} (features[{i}], {f.Name})");
                }
            }

            var outcome = Cell(target, spec.Target.Column);
            var isBad = spec.Target.Bad.Contains(outcome)
                ? true
                : spec.Target.Good.Contains(outcome)
                    ? false
                    : throw new CreditDataException($"{origin} line {line}, column '{spec.Target.Column}': '{outcome}' is neither a bad value ({string.Join(", ", spec.Target.Bad)}) nor a good value ({string.Join(", ", spec.Target.Good)}) of target");
            rows.Add(new CreditRecord(categories, numbers, isBad));
        }

        if (rows.Count == 0)
        {
            throw new CreditDataException($"{origin}: the data set is empty (no data rows)");
        }

        if (rows.All(r => r.IsBad) || rows.All(r => !r.IsBad))
        {
            throw new CreditDataException($"{origin}: all {rows.Count} rows are {(rows[0].IsBad ? "bad" : "good")}; a model needs both classes in column '{spec.Target.Column}'");
        }

        return rows;
    }

    [System.Text.RegularExpressions.GeneratedRegex(" {2,}")]
    private static partial System.Text.RegularExpressions.Regex MultipleSpaces();
}
