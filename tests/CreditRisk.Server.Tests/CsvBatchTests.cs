using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests;

/// <summary>POST /api/v1/score/batch with Content-Type: text/csv, against the shipped German Credit model.</summary>
[Collection(AppCollection.Name)]
public sealed class CsvBatchTests(SharedApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    /// <summary>german.data's first rows as UCI codes, with an application id column first and a note column last.</summary>
    internal static string LoanFile(char separator, int rows, int skip = 0)
    {
        var spec = TestModels.ShippedCard(TestModels.German).Dataset;
        var names = spec.Features.Select(f => f.Name).ToList();
        var csv = new StringBuilder();
        csv.Append(string.Join(separator, ["applicationId", .. names, "note"])).Append('\n');
        foreach (var (line, i) in File.ReadLines(Path.Combine(Paths.RepoRoot, "data", "german-credit", "german.data"))
                     .Where(l => l.Length > 0).Skip(skip).Take(rows).Select((l, i) => (l, i)))
        {
            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(names.Count);
            csv.Append(string.Join(separator, [$"APP-{skip + i:D5}", .. cells, i % 2 == 0 ? "\"a note; with, \"\"quotes\"\"\"" : ""])).Append('\n');
        }

        return csv.ToString();
    }

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    [Theory]
    [InlineData(',')]
    [InlineData(';')]
    [InlineData('\t')]
    public async Task A_csv_comes_back_as_csv_with_every_input_column_then_the_json_batchs_scores(char separator)
    {
        var file = LoanFile(separator, 25);
        using var response = await _client.PostAsync("/api/v1/score/batch", Csv(file));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);

        var input = Rows(file, separator);
        var output = Rows(text, separator);
        Assert.Equal([.. input[0], .. new[] { "probabilityOfDefault", "decision", "reasonCodes", "reasons", "decisionId", "threshold", "expectedProfit", "loss", "margin", "points", "referReasons" }], output[0]);
        Assert.Equal(input.Count, output.Count);

        // The same applicants through the JSON batch: the CSV answer must be that scorer's answer, row for row.
        var expected = await JsonScoresAsync(input);
        for (var i = 1; i < input.Count; i++)
        {
            Assert.Equal(input[i], output[i][..input[i].Length]);
            var result = expected.Results[i - 1];
            Assert.Equal(result.ProbabilityOfDefault, double.Parse(output[i][^11], CultureInfo.InvariantCulture));
            Assert.Equal(result.Decision, output[i][^10]);
            Assert.Equal(string.Join(' ', result.Reasons.Select(r => r.Code)), output[i][^9]);
            Assert.Equal(string.Join("; ", result.Reasons.Select(r => r.Text)), output[i][^8]);
            // Each row was recorded before it was written: its decision id is a committed record's.
            Assert.True(Guid.TryParse(output[i][^7], out _), output[i][^7]);
            // Then the money the decision weighed, as the JSON batch gives it (German Credit: constant 5:1 costs), and the points.
            Assert.Equal(result.Threshold, double.Parse(output[i][^6], CultureInfo.InvariantCulture));
            Assert.Equal(result.Money!.ExpectedProfit, double.Parse(output[i][^5], CultureInfo.InvariantCulture));
            Assert.Equal(result.Money.Loss, double.Parse(output[i][^4], CultureInfo.InvariantCulture));
            Assert.Equal(result.Money.Margin, double.Parse(output[i][^3], CultureInfo.InvariantCulture));
            Assert.Equal(result.Points, double.Parse(output[i][^2], CultureInfo.InvariantCulture));
            Assert.Equal("", output[i][^1]); // referReasons: referral is off here
        }

        Assert.Contains(expected.Results, r => r.Decision == Decisions.Reject);
        Assert.Contains(expected.Results, r => r.Decision == Decisions.Approve);
    }

    [Fact]
    public async Task A_file_longer_than_one_chunk_is_scored_whole_and_in_order()
    {
        using var small = new AppFactory(new Dictionary<string, string?> { ["Scoring:MaxBatchSize"] = "7" });
        var file = LoanFile(',', 30, skip: 100);
        using var response = await small.CreateClient().PostAsync("/api/v1/score/batch", Csv(file));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var output = Rows(text, ',');
        Assert.Equal(31, output.Count);
        Assert.Equal(Enumerable.Range(100, 30).Select(i => $"APP-{i:D5}"), output.Skip(1).Select(r => r[0]));
        Assert.Equal((await JsonScoresAsync(Rows(file, ','))).Results.Select(r => r.ProbabilityOfDefault),
            output.Skip(1).Select(r => double.Parse(r[^11], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_decimal_comma_is_read_when_the_separator_is_a_semicolon()
    {
        // German-locale Excel: ';' between cells, ',' in numbers. creditAmount 1169,0 is 1169.
        var file = LoanFile(';', 1);
        var lines = file.Split('\n');
        var header = lines[0].Split(';');
        var cells = lines[1].Split(';');
        var amount = Array.IndexOf(header, "creditAmount");
        var plain = (await JsonScoresAsync(Rows(file, ';'))).Results[0].ProbabilityOfDefault;
        cells[amount] += ",0";
        using var response = await _client.PostAsync("/api/v1/score/batch", Csv(lines[0] + "\n" + string.Join(';', cells) + "\n"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal(plain, double.Parse(Rows(text, ';')[1][^11], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Bad_cells_are_one_400_naming_each_line_and_column_and_nothing_is_scored()
    {
        var file = LoanFile(',', 3).Split('\n');
        var header = file[0].Split(',');
        var row2 = file[2].Split(',');
        row2[Array.IndexOf(header, "purpose")] = "spaceship";
        row2[Array.IndexOf(header, "age")] = "500";
        row2[Array.IndexOf(header, "durationMonths")] = "";
        file[2] = string.Join(',', row2);

        var problem = await (await _client.PostAsync("/api/v1/score/batch", Csv(string.Join('\n', file)))).AssertProblem(400);
        Assert.Contains("must be one of: newCar (A40)", problem.ErrorsFor("line 3, purpose").Single(), StringComparison.Ordinal);
        Assert.Equal("must be a whole number from 18 to 100 (got a number out of range)", problem.ErrorsFor("line 3, age").Single());
        Assert.StartsWith("is required;", problem.ErrorsFor("line 3, durationMonths").Single(), StringComparison.Ordinal);
        Assert.Equal(3, problem["errors"]!.AsObject().Count);
    }

    [Fact]
    public async Task A_missing_column_or_a_repeated_one_is_named_in_the_header_line()
    {
        var lines = LoanFile(',', 2).Split('\n');
        // A model input's column (a protected attribute's may be left out: the model never reads it).
        var duration = Array.IndexOf(lines[0].Split(','), "durationMonths");
        var withoutDuration = string.Join('\n', lines.Select(l => string.Join(',', l.Split(',').Where((_, c) => c != duration))));
        var problem = await (await _client.PostAsync("/api/v1/score/batch", Csv(withoutDuration))).AssertProblem(400);
        Assert.StartsWith("is a required column;", problem.ErrorsFor("line 1, durationMonths").Single(), StringComparison.Ordinal);

        var twice = "purpose," + LoanFile(',', 1).Replace("\n", "\nradioTv,", StringComparison.Ordinal).TrimEnd(',');
        problem = await (await _client.PostAsync("/api/v1/score/batch", Csv(twice))).AssertProblem(400);
        Assert.Equal("is named twice in the header", problem.ErrorsFor("line 1, purpose").Single());
    }

    [Fact]
    public async Task An_empty_file_or_a_header_alone_is_a_400()
    {
        var empty = await (await _client.PostAsync("/api/v1/score/batch", Csv(""))).AssertProblem(400);
        Assert.Contains("the file is empty", empty.ErrorsFor("$").Single(), StringComparison.Ordinal);
        var headerOnly = await (await _client.PostAsync("/api/v1/score/batch", Csv(LoanFile(',', 0)))).AssertProblem(400);
        Assert.Contains("no applicants", headerOnly.ErrorsFor("$").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rows_over_the_csv_limit_are_a_413_naming_the_setting()
    {
        using var limited = new AppFactory(new Dictionary<string, string?> { ["Scoring:MaxCsvRows"] = "4" });
        var client = limited.CreateClient();
        using var atLimit = await client.PostAsync("/api/v1/score/batch", Csv(LoanFile(',', 4)));
        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        var problem = await (await client.PostAsync("/api/v1/score/batch", Csv(LoanFile(',', 5)))).AssertProblem(413);
        Assert.Contains("Scoring:MaxCsvRows", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_over_the_csv_byte_limit_is_a_413_naming_the_setting_even_without_a_length()
    {
        using var limited = new AppFactory(new Dictionary<string, string?> { ["Scoring:MaxCsvBytes"] = "2048" });
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(LoanFile(',', 40))));
        content.Headers.ContentType = new("text/csv");
        var problem = await (await limited.CreateClient().PostAsync("/api/v1/score/batch", content)).AssertProblem(413);
        Assert.Contains("Scoring:MaxCsvBytes", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_body_limit_does_not_apply_to_a_csv_file()
    {
        // 1 000 rows are ~90 KB; with Limits:MaxRequestBodyBytes at 16 KB the JSON batch would be refused.
        using var small = new AppFactory(new Dictionary<string, string?> { ["Limits:MaxRequestBodyBytes"] = "16384" });
        using var response = await small.CreateClient().PostAsync("/api/v1/score/batch", Csv(LoanFile(',', 1000)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1001, Rows(await response.Content.ReadAsStringAsync(), ',').Count);
    }

    /// <summary>Parses CSV the way a spreadsheet does (quotes, doubled quotes), to check the server's escaping too.</summary>
    internal static List<string[]> Rows(string text, char separator)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == separator)
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\n')
            {
                row.Add(cell.ToString().TrimEnd('\r'));
                cell.Clear();
                rows.Add([.. row]);
                row.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        return rows;
    }

    /// <summary>The rows' applicants (UCI codes resolved through the spec) scored by the JSON batch.</summary>
    private async Task<BatchScoreResponse> JsonScoresAsync(List<string[]> rows)
    {
        var spec = TestModels.ShippedCard(TestModels.German).Dataset;
        var header = rows[0];
        var applicants = rows.Skip(1).Select(cells => spec.Features.ToDictionary(
            f => f.Name,
            f =>
            {
                var cell = cells[Array.IndexOf(header, f.Name)];
                return f.IsCategory
                    ? JsonSerializer.SerializeToElement(f.Resolve(cell))
                    : JsonSerializer.SerializeToElement(double.Parse(cell, CultureInfo.InvariantCulture));
            })).ToList();
        using var response = await _client.PostAsJsonAsync("/api/v1/score/batch", new { applicants }, Http.Json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!;
    }
}

/// <summary>The README's curl line against the built server as a process.</summary>
public sealed class CsvCurlTests(RealServer server) : IClassFixture<RealServer>
{
    [Fact]
    public async Task Curl_data_binary_of_a_csv_file_gets_the_scored_csv_back_with_ids()
    {
        var loans = Path.Combine(Path.GetTempPath(), $"loans-{Guid.NewGuid():N}.csv");
        var scored = loans + ".out";
        await File.WriteAllTextAsync(loans, CsvBatchTests.LoanFile(';', 12));
        try
        {
            using var curl = Process.Start(new ProcessStartInfo("curl",
            [
                "-sS", "--fail-with-body", "--data-binary", "@" + loans, "-H", "Content-Type: text/csv",
                "-o", scored, $"http://127.0.0.1:{server.Port}/api/v1/score/batch",
            ])
            {
                RedirectStandardError = true,
            })!;
            var stderr = await curl.StandardError.ReadToEndAsync();
            await curl.WaitForExitAsync();
            Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {stderr}");

            var rows = CsvBatchTests.Rows(await File.ReadAllTextAsync(scored), ';');
            Assert.Equal(13, rows.Count);
            Assert.Equal("applicationId", rows[0][0]);
            Assert.Equal(Enumerable.Range(0, 12).Select(i => $"APP-{i:D5}"), rows.Skip(1).Select(r => r[0]));
            Assert.All(rows.Skip(1), r => Assert.Contains(r[^10], new[] { Decisions.Approve, Decisions.Reject }));
        }
        finally
        {
            File.Delete(loans);
            File.Delete(scored);
        }
    }
}
