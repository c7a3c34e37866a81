using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Report;
using CreditRisk.Trainer.Selection;
using Microsoft.ML.OnnxRuntime;

namespace CreditRisk.Trainer.Tests;

/// <summary>
/// A dated book, made here deterministically: 600 loans over 24 application months (2015-01 to 2016-12, 25 a month, in
/// no date order in the file), whose risk drifts upwards with time, so later loans differ from earlier ones.
/// </summary>
public sealed class DatedBook : IDisposable
{
    public const int Rows = 600;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "creditrisk-dated-" + Guid.NewGuid().ToString("N"));

    public string SpecPath => Path.Combine(Directory, "dataset.json");

    public string CsvPath => Path.Combine(Directory, "book.csv");

    /// <summary>Each row's month as written in the CSV, in file order.</summary>
    public string[] Months { get; } = new string[Rows];

    public DatedBook()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var random = new Random(31);
        var csv = new StringBuilder("loan_id,application_month,income,debt_ratio,months,status\n");
        for (var i = 0; i < Rows; i++)
        {
            // Months interleaved in the file (i * 7 mod 24): the split must sort, not take the file's tail.
            var m = i * 7 % 24;
            Months[i] = $"{2015 + (m / 12)}-{(m % 12) + 1:00}";
            var income = Math.Round(1500 + (random.NextDouble() * 5000));
            var debt = Math.Round(random.NextDouble() * 0.8, 3);
            var term = random.Next(6, 61);
            var risk = -3.6 - ((income - 4000) / 1000) + (2 * debt) + (term / 60.0) + (m / 24.0);
            var bad = random.NextDouble() < 1 / (1 + Math.Exp(-risk));
            csv.Append(CultureInfo.InvariantCulture, $"L{i:0000},{Months[i]},{income},{debt.ToString(CultureInfo.InvariantCulture)},{term},{(bad ? "bad" : "good")}\n");
        }

        File.WriteAllText(CsvPath, csv.ToString());
        File.WriteAllText(SpecPath, Spec("book.csv"));
    }

    public static string Spec(string csv) => $$"""
        {"name":"dated-book","title":"A dated book","source":{"path":"{{csv}}"},
         "target":{"column":"status","bad":["bad"],"good":["good"]},
         "features":[
           {"name":"loanId","column":"loan_id","role":"id"},
           {"name":"applicationMonth","column":"application_month","role":"date"},
           {"name":"income","kind":"real","min":0},
           {"name":"debtRatio","column":"debt_ratio","kind":"real","min":0,"max":1},
           {"name":"months","kind":"integer","min":1,"max":120}]}
        """;

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

[Collection(TrainerRuns.Name)]
public sealed class OutOfTimeTests(DatedBook book) : IClassFixture<DatedBook>
{
    private static DateOnly Date(string text) => DateOnly.ParseExact(text.Length == 7 ? text + "-01" : text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public void The_split_puts_every_test_loan_after_every_training_loan_and_keeps_a_date_on_one_side()
    {
        var data = CreditData.Load(book.SpecPath);
        var split = OutOfTimeSplit.Of(data.Spec, data.Rows);

        Assert.Equal(DatedBook.Rows, split.Train.Length + split.Test.Length);
        Assert.Empty(split.Train.Intersect(split.Test));
        Assert.True(split.Train.Max(i => Date(book.Months[i])) < split.Test.Min(i => Date(book.Months[i])));
        // 25 loans a month: the row at 80 % (480) opens 2016-08 (the 20th month), so the test window is its last 5 months.
        Assert.Equal(new OutOfTimeWindows("applicationMonth", "2015-01", "2016-07", 475, "2016-08", "2016-12", 125), split.Windows);
    }

    [Fact]
    public async Task A_dated_book_trains_with_the_out_of_time_estimate_as_the_cards_headline_and_is_served_without_its_date()
    {
        var output = Path.Combine(book.Directory, "out");
        var clock = Stopwatch.StartNew();
        var outcome = TrainerRun.Train(TrainerOptions.Parse(["--quick", "--family", "LogisticRegression", "--nested-repeats", "1", "--dataset", book.SpecPath, "--out", output]));
        var seconds = clock.Elapsed.TotalSeconds;

        // The card: the headline is out-of-time, with its windows and counts; the in-time nested CV is beside it.
        var cv = outcome.Card.NestedCv;
        var windows = Assert.IsType<OutOfTimeWindows>(cv.OutOfTime);
        Assert.Equal(("2016-07", "2016-08", 475, 125), (windows.TrainTo, windows.TestFrom, windows.TrainRows, windows.TestRows));
        var oot = outcome.Nested!.OutOfTime!;
        Assert.Equal((oot.Procedure.Mean, oot.Procedure.Ci95Low, oot.Procedure.Ci95High, 1, 1), (cv.CostPerApplicant, cv.Ci95Low, cv.Ci95High, cv.OuterFolds, cv.Repeats));
        Assert.InRange(cv.CostPerApplicant, cv.Ci95Low, cv.Ci95High);
        var inTime = Assert.IsType<InTimeCost>(cv.InTime);
        Assert.Equal((outcome.Nested.Procedure.Mean, 5, 1), (inTime.CostPerApplicant, inTime.OuterFolds, inTime.Repeats));

        // The same card from the file's metadata (what the server reads), and the date is no ONNX input.
        var sidecar = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "model.json")))!;
        Assert.Equal("2016-08", (string?)sidecar["nestedCv"]?["outOfTime"]?["testFrom"]);
        using (var session = new InferenceSession(Path.Combine(output, "model.onnx")))
        {
            Assert.DoesNotContain("applicationMonth", session.InputMetadata.Keys);
            Assert.Contains("income", session.InputMetadata.Keys);
        }

        Assert.DoesNotContain("applicationMonth", outcome.Card.ExampleApplicant.Keys);
        Assert.DoesNotContain(outcome.Card.Monitoring!.Features, f => f.Name == "applicationMonth");

        // Determinism: the same seed gives the same out-of-time estimate, run again from scratch.
        var data = CreditData.Load(book.SpecPath);
        var options = TrainerOptions.Parse(["--quick", "--family", "LogisticRegression", "--nested-repeats", "1", "--dataset", book.SpecPath]).ResolvedFor(data.Rows.Count);
        var again = NestedCv.OutOfTime(data.Rows, options.Grid(), new Training(data.Spec, options.Seed), options.Resampling, options.Smoothing, "fp", OutOfTimeSplit.Of(data.Spec, data.Rows));
        Assert.Equal(oot.Procedure, again.Procedure);
        Assert.Equal(oot.ProcedurePd, again.ProcedurePd);

        // The report states the rule, the windows, the width and the time; the card page names the headline out-of-time.
        var report = File.ReadAllText(Path.Combine(output, ReportWriter.ReportFile));
        Assert.Contains("out-of-time, the model card's headline", report, StringComparison.Ordinal);
        Assert.Contains("loans dated 2016-08 – 2016-12", report, StringComparison.Ordinal);
        Assert.Contains(OutOfTimeSplit.Rule, report, StringComparison.Ordinal);
        Assert.Contains($"{oot.Procedure.Ci95High - oot.Procedure.Ci95Low:F3} wide", report, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ReportWriter.SummaryFile)));
        Assert.Equal(125, summary.RootElement.GetProperty("outOfTime").GetProperty("windows").GetProperty("testRows").GetInt32());
        Assert.True(seconds < 180, $"the dated book took {seconds:F0} s to train");

        // The real server serves the file: an applicant without the date is scored; a date sent is carried through like
        // an id and changes nothing; a date that is not one is a 400 naming the field.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var serverDll = Path.Combine(Paths.Root, "server", "bin", configuration, "net10.0", "CreditRisk.Server.dll");
        await using var server = await CreditRisk.Testing.ServerProcess.StartAsync(serverDll, new Dictionary<string, string> { ["Model__Path"] = Path.Combine(output, "model.onnx") });
        var applicant = JsonSerializer.SerializeToNode(outcome.Card.ExampleApplicant)!.AsObject();
        var dated = applicant.DeepClone().AsObject();
        dated["applicationMonth"] = "2017-01-15";
        var (status, text) = await PostAsync(server.Client, new JsonArray(applicant.DeepClone(), dated));
        Assert.True(status == 200, text);
        var results = JsonNode.Parse(text)!["results"]!.AsArray();
        Assert.Equal((double)results[0]!["probabilityOfDefault"]!, (double)results[1]!["probabilityOfDefault"]!);
        Assert.Equal("2017-01-15", (string?)results[1]!["ids"]?["applicationMonth"]);
        dated["applicationMonth"] = "2017-13";
        var (badStatus, problem) = await PostAsync(server.Client, new JsonArray(dated.DeepClone()));
        Assert.Equal(400, badStatus);
        Assert.Contains("applicationMonth", problem, StringComparison.Ordinal);
        Assert.Contains(DateValue.Rule, problem, StringComparison.Ordinal);

        // A CSV batch as the lender's file has it, date column included: scored, and the date checked the same way.
        const string Header = "loanId,applicationMonth,income,debtRatio,months\n";
        var (csvStatus, csvText) = await PostCsvAsync(server.Client, Header + "L1,2017-02,3000,0.2,12\nL2,,3000,0.2,12\n");
        Assert.True(csvStatus == 200, csvText);
        var (badCsvStatus, badCsvText) = await PostCsvAsync(server.Client, Header + "L1,Feb 2017,3000,0.2,12\n");
        Assert.Equal(400, badCsvStatus);
        Assert.Contains("applicationMonth", badCsvText, StringComparison.Ordinal);

        // The model's OpenAPI document describes the date and gives dates in its examples, and the model says out-of-time.
        var document = await server.Client.GetStringAsync(new Uri("/swagger/v1/swagger.yaml", UriKind.Relative));
        Assert.Contains("Application date: optional", document, StringComparison.Ordinal);
        Assert.Contains("2024-01-15", document, StringComparison.Ordinal);
        Assert.DoesNotContain("applicationMonth-1", document, StringComparison.Ordinal);
        var model = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/api/v1/model", UriKind.Relative)))!;
        Assert.Equal(125, (int)model["nestedCv"]!["outOfTime"]!["testRows"]!);
        Assert.Equal(5, (int)model["nestedCv"]!["inTime"]!["outerFolds"]!);
    }

    private static async Task<(int Status, string Text)> PostCsvAsync(HttpClient client, string csv)
    {
        using var body = new StringContent(csv, Encoding.UTF8, "text/csv");
        using var response = await client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), body);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(int Status, string Text)> PostAsync(HttpClient client, JsonArray applicants)
    {
        using var body = new StringContent(new JsonObject { ["applicants"] = applicants }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), body);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("2016-3", "'2016-3' must be a date, yyyy-MM-dd or yyyy-MM (ISO 8601)")]
    [InlineData("2016-02-30", "'2016-02-30' must be a date")]
    [InlineData("03/15/2016", "'03/15/2016' must be a date")]
    [InlineData("", "the value is missing")]
    public void A_bad_date_is_refused_in_one_line_naming_the_row_and_the_column(string date, string expected)
    {
        var csv = $"loan_id,application_month,income,debt_ratio,months,status\nL1,2016-01,3000,0.2,12,good\nL2,{date},3000,0.2,12,bad\n";
        var e = Assert.Throws<CreditDataException>(() => CreditData.Parse(DatasetSpec.Parse(DatedBook.Spec("b.csv"), "b.json"), csv, "b.csv"));
        Assert.StartsWith("b.csv line 3, column 'application_month': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_trainer_process_refuses_a_bad_date_with_exit_1_and_one_line()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("creditrisk-bad-date-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "dataset.json"), DatedBook.Spec("book.csv"));
            File.WriteAllText(Path.Combine(directory.FullName, "book.csv"), File.ReadAllText(book.CsvPath).Replace("L0012,2016-01,", "L0012,2016-1,", StringComparison.Ordinal));
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Paths.Root };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "CreditRisk.Trainer.dll"), "--quick", "--dataset", Path.Combine(directory.FullName, "dataset.json"), "--out", Path.Combine(directory.FullName, "out") })
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(1, process.ExitCode);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Contains("book.csv line 14, column 'application_month': '2016-1' must be a date", line, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", await stdout + stderr, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_book_whose_earlier_loans_are_too_few_has_no_out_of_time_estimate_and_says_why_in_one_line()
    {
        var csv = new StringBuilder("loan_id,application_month,income,debt_ratio,months,status\n");
        for (var i = 0; i < 40; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"L{i},{(i < 5 ? "2015-12" : "2016-01")},3000,0.2,12,{(i % 3 == 0 ? "bad" : "good")}\n");
        }

        var spec = DatasetSpec.Parse(DatedBook.Spec("b.csv"), "b.json");
        var e = Assert.Throws<CreditDataException>(() => OutOfTimeSplit.Of(spec, CreditData.Parse(spec, csv.ToString(), "b.csv")));
        Assert.Equal("b.csv: column 'application_month' (role date): no out-of-time estimate: the 5 rows dated before 2016-01-01 hold 2 bad and 3 good; the procedure needs at least 10 of each", e.Message);
    }

    [Fact]
    public void Init_drafts_the_first_column_dated_on_every_row_as_the_date_and_a_date_of_birth_as_protected()
    {
        var csv = Path.Combine(book.Directory, "init.csv");
        File.WriteAllText(csv, "id,opened,date_of_birth,closed,amount,status\n" +
            string.Concat(Enumerable.Range(0, 60).Select(i => $"A{i},2016-{(i % 12) + 1:00}-15,1980-01-{(i % 28) + 1:00},{(i % 2 == 0 ? "" : "2017-01")},{100 + i},{(i % 4 == 0 ? "bad" : "good")}\n")));
        var specPath = Path.Combine(book.Directory, "init.json");
        var draft = SpecDraft.FromCsv(csv, "status", ["bad"], [], specPath);

        Assert.Equal(FeatureRole.Date, draft.Spec.Find("opened")!.Role);
        Assert.Equal("opened", draft.Spec.Date!.Name);
        Assert.Equal(FeatureRole.Protected, draft.Spec.Find("dateOfBirth")!.Role);
        Assert.NotEqual(FeatureRole.Date, draft.Spec.Find("closed")!.Role);
        Assert.Contains(draft.Guesses, g => g.StartsWith("opened → opened: date from 2016-01-15 to 2016-12-15 (role date", StringComparison.Ordinal));
        // The draft loads its CSV, and the date is no model input.
        File.WriteAllText(specPath, SpecDraft.ToJson(draft.Spec));
        var data = CreditData.Load(specPath);
        Assert.DoesNotContain(data.Spec.Inputs, f => f.Name == "opened");
    }

    [Theory]
    [InlineData("""{"name":"a","column":"x","role":"date"},{"name":"b","column":"y","role":"date"}""", "at most one attribute with role 'date'")]
    [InlineData("""{"name":"a","column":"x","role":"date","kind":"integer"}""", "is a date: it lists no values")]
    [InlineData("""{"name":"a","column":"x","role":"date","missing":"impute"}""", "is a date: it lists no values")]
    public void A_spec_with_a_wrong_date_attribute_is_refused_naming_it(string dates, string expected)
    {
        var json = $$"""{"name":"t","title":"T","source":{"path":"t.csv"},"target":{"column":"o","bad":["1"],"good":["0"]},"features":[{{dates}},{"name":"z","kind":"real"}]}""";
        Assert.Contains(expected, Assert.Throws<DatasetSpecException>(() => DatasetSpec.Parse(json, "t.json")).Message, StringComparison.Ordinal);
    }
}
