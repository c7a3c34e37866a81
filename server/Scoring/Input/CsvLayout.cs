using CreditRisk.Contracts;
using System.Globalization;
using System.Text.Json;
using CreditRisk.Server.Api;
using CreditRisk.Server.Model;
using nietras.SeparatedValues;

namespace CreditRisk.Server.Scoring.Input;

/// <summary>
/// The CSV reader: where each attribute is in a file (from its header row), and how its cells are read, by the
/// <see cref="InputRules"/> every reader shares. A cell is missing when it is empty or one of the spec's missing tokens
/// (<c>source.missingValues</c>, e.g. <c>NA</c>), as for the trainer; categories take the value or one of its codes.
/// </summary>
public sealed class CsvLayout
{
    private readonly IReadOnlyList<InputRule> _rules;
    private readonly int[] _featureOfColumn;
    private readonly bool _decimalComma;

    private CsvLayout(IReadOnlyList<InputRule> rules, string[] header, int[] featureOfColumn, char separator)
    {
        _rules = rules;
        Header = header;
        _featureOfColumn = featureOfColumn;
        Separator = separator;
        // With ';' or a tab as separator a ',' in a number can only be a decimal comma (German-locale Excel).
        _decimalComma = separator != ',';
    }

    public string[] Header { get; }

    public char Separator { get; }

    /// <summary>
    /// A numeric column: one of the spec's number attributes (not an id). Every cell in it passed the number check
    /// before anything was scored, so it holds a number or nothing.
    /// </summary>
    public bool IsNumber(int column) => _featureOfColumn[column] >= 0 && _rules[_featureOfColumn[column]] is { IsId: false, IsCategory: false };

    /// <summary>Problem keys name the line of the file (the header is line 1) and the column: "line 7, &lt;column name&gt;".</summary>
    public static string Key(int line, string column) => $"line {line}, {column}";

    public static CsvLayout? FromHeader(SepReader.Row header, char separator, InputRules rules, ValidationErrors errors)
    {
        var fields = rules.Fields;
        var names = new string[header.ColCount];
        var featureOfColumn = new int[header.ColCount];
        var columnOfFeature = new int[fields.Count];
        columnOfFeature.AsSpan().Fill(-1);
        for (var c = 0; c < names.Length; c++)
        {
            names[c] = header[c].ToString().TrimStart('\uFEFF');
            featureOfColumn[c] = -1;
            if (names[c].Length == 0)
            {
                errors.Add(Key(1, $"#{c + 1}"), "the header names no column here; every column needs a name");
                continue;
            }

            if (Array.FindIndex(names, 0, c, n => n.Equals(names[c], StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                errors.Add(Key(1, names[c]), "is named twice in the header");
                continue;
            }

            // Attribute columns by the API's attribute name (any case); every other column is carried through as sent.
            for (var f = 0; f < fields.Count; f++)
            {
                if (fields[f].Name.Equals(names[c], StringComparison.OrdinalIgnoreCase))
                {
                    featureOfColumn[c] = f;
                    columnOfFeature[f] = c;
                }
            }
        }

        for (var f = 0; f < fields.Count; f++)
        {
            if (columnOfFeature[f] < 0 && fields[f].Required)
            {
                errors.Add(Key(1, fields[f].Name), $"is a required column; {fields[f].CellText}");
            }
        }

        return errors.IsEmpty ? new CsvLayout(fields, names, featureOfColumn, separator) : null;
    }

    /// <summary>Reads one row into <paramref name="applicant"/> (reset first), adding an error per bad cell.</summary>
    public bool Read(SepReader.Row row, ApplicantRow applicant, ValidationErrors errors)
    {
        Array.Clear(applicant.Categories);
        applicant.Numbers.AsSpan().Fill(float.NaN);
        applicant.Ids = null;
        var line = row.LineNumberFrom;
        var valid = true;
        for (var c = 0; c < _featureOfColumn.Length; c++)
        {
            var f = _featureOfColumn[c];
            if (f < 0)
            {
                continue;
            }

            var cell = c < row.ColCount ? row[c].Span : [];
            if (Cell(_rules[f], cell, applicant, f) is { } problem)
            {
                errors.Add(Key(line, Header[c]), problem);
                valid = false;
            }
        }

        return valid;
    }

    private string? Cell(InputRule rule, ReadOnlySpan<char> cell, ApplicantRow applicant, int position)
    {
        if (rule.IsId)
        {
            if (cell.IsEmpty)
            {
                return null;
            }

            if (FreeText.HasControlCharacter(cell))
            {
                return FreeText.Rule;
            }

            if (rule.IsDate && !DateValue.TryParse(cell, out _))
            {
                return rule.CellText;
            }

            // Carried through in the output as sent; held as the JSON batch holds it, for whatever records results.
            (applicant.Ids ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[rule.Name] =
                JsonSerializer.SerializeToElement(cell.ToString());
            return null;
        }

        if (rule.IsMissingCell(cell))
        {
            return rule.Required ? $"is required; {rule.CellText}" : null;
        }

        if (rule.IsCategory)
        {
            // The value as the API names it, or one of its codes (e.g. UCI's "A11"); the spec's own instance.
            applicant.Categories[position] = rule.Cell(cell.ToString());
            return applicant.Categories[position] is null ? $"{rule.CellText} (got an unknown value)" : null;
        }

        Span<char> text = stackalloc char[Math.Min(cell.Length, 64)];
        if (cell.Length > text.Length)
        {
            return $"{rule.CellText} (got text that is not a number)";
        }

        cell.CopyTo(text);
        if (_decimalComma)
        {
            text.Replace(',', '.');
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return $"{rule.CellText} (got text that is not a number)";
        }

        if (!double.IsFinite(number))
        {
            return $"{rule.CellText} (got a number out of range)";
        }

        if (rule.NumberProblem(number) is { } problem)
        {
            return $"{rule.CellText} {problem}";
        }

        applicant.Numbers[position] = (float)number;
        return null;
    }
}
