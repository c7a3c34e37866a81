using System.Globalization;
using System.Text;
using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Report;

namespace CreditRisk.Trainer.Tests;

/// <summary>
/// A lender's own book, made here (issue 32): headings as a lender's system writes them (<c>Status</c>,
/// <c>Marital Status</c>, <c>Age</c>, <c>addr_state</c>), missing incomes, and a marital status that single
/// applicants hold more often with lower incomes, so the model approves them less. One applicant's marital status is
/// missing: a group of one.
/// </summary>
public sealed class LenderBook : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "creditrisk-lender-" + Guid.NewGuid().ToString("N"));

    public string CsvPath => Path.Combine(Directory, "book.csv");

    public LenderBook()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var random = new Random(32);
        var csv = new StringBuilder("loan_id,Monthly Income,Debt Ratio,Months,Marital Status,Age,addr_state,Status\n");
        string[] states = ["CA", "NY", "TX", "FL", "WA"];
        for (var i = 0; i < 700; i++)
        {
            var marital = i == 0 ? "" : (i % 10) switch { < 5 => "married", < 9 => "single", _ => "divorced" };
            var single = marital == "single";
            // The applicant of unknown marital status is a risky one, rejected like the issue's group of one.
            var income = i == 0 ? 900 : Math.Round((single ? 1800 : 4200) + random.NextDouble() * 2500);
            var debt = i == 0 ? 0.8 : Math.Round(random.NextDouble() * 0.8, 3);
            var months = random.Next(6, 61);
            var risk = -0.6 - (income - 3500) / 900 + 2 * debt + months / 60.0;
            var bad = random.NextDouble() < 1 / (1 + Math.Exp(-risk));
            var incomeCell = i % 23 == 0 ? "" : income.ToString(CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"L{i:0000},{incomeCell},{debt.ToString(CultureInfo.InvariantCulture)},{months},{marital},{random.Next(21, 75)},{states[random.Next(states.Length)]},{(bad ? "Charged Off" : "Fully Paid")}\n");
        }

        File.WriteAllText(CsvPath, csv.ToString());
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

[Collection(TrainerRuns.Name)]
public sealed class LenderBookTests(LenderBook book) : IClassFixture<LenderBook>
{
    [Fact]
    public void Init_takes_a_target_that_differs_only_in_case_and_says_so()
    {
        var draft = SpecDraft.FromCsv(book.CsvPath, "status", ["Charged Off"], [], Path.Combine(book.Directory, "case.json"));

        Assert.Equal("Status", draft.Spec.Target.Column);
        Assert.Contains(draft.Guesses, g => g.Contains("--target 'status' taken as column 'Status'", StringComparison.Ordinal));
        Assert.DoesNotContain(draft.Spec.Features, f => f.CsvColumn == "Status");
    }

    [Fact]
    public void Init_refuses_a_target_that_matches_several_columns_ignoring_case_and_names_them()
    {
        var csv = Path.Combine(book.Directory, "two-status.csv");
        File.WriteAllText(csv, "status,STATUS,x\nbad,a,1\ngood,b,2\n");

        var e = Assert.Throws<CreditDataException>(() => SpecDraft.FromCsv(csv, "Status", ["bad"], [], Path.Combine(book.Directory, "two.json")));

        Assert.Contains("status, STATUS", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_drafts_columns_that_look_protected_as_protected_with_a_comment_and_names_location_proxies()
    {
        var draft = SpecDraft.FromCsv(book.CsvPath, "Status", ["Charged Off"], [], Path.Combine(book.Directory, "flags.json"));
        var spec = draft.Spec;

        foreach (var (name, characteristic) in new[] { ("maritalStatus", "marital status"), ("age", "age") })
        {
            var f = spec.Find(name)!;
            Assert.Equal(FeatureRole.Protected, f.Role);
            Assert.Contains(characteristic, f.Description, StringComparison.Ordinal);
            Assert.Contains("Regulation B", f.Description, StringComparison.Ordinal);
        }

        Assert.Equal(FeatureRole.Feature, spec.Find("addrState")!.Role);
        Assert.Contains("race and national origin", spec.Find("addrState")!.ProxyFor, StringComparison.Ordinal);
        Assert.Equal(FeatureRole.Feature, spec.Find("monthlyIncome")!.Role);
        Assert.Null(spec.Find("monthlyIncome")!.ProxyFor);
        Assert.Contains(draft.Guesses, g => g.StartsWith("protected, not model inputs: maritalStatus, age; likely proxies (model inputs, named in proxyFor): addrState", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gender", new string[0], "sex")]
    [InlineData("personal_status_sex", new string[0], "sex")]
    [InlineData("DateOfBirth", new string[0], "age")]
    [InlineData("religion", new string[0], "religion")]
    [InlineData("Nationality", new string[0], "nationality")]
    [InlineData("ethnicity", new string[0], "race or ethnicity")]
    [InlineData("ps", new[] { "single", "married", "divorced" }, "marital status")]
    [InlineData("mortgage", new string[0], null)]
    [InlineData("percentage", new string[0], null)]
    [InlineData("loan_age_months", new string[0], null)]
    [InlineData("statement_count", new string[0], null)]
    public void A_heading_or_its_values_name_the_protected_characteristic_word_by_word(string heading, string[] values, string? characteristic) =>
        Assert.Equal(characteristic, ProtectedGuess.Characteristic(heading, values));

    /// <summary>Issue 32's "done when": init → train, and the verdict names the group that is really approved less, not the group of one.</summary>
    [Fact]
    public void A_drafted_book_with_a_one_row_group_trains_into_a_fairness_verdict_naming_the_real_worst_group()
    {
        var specPath = Path.Combine(book.Directory, "dataset.json");
        Assert.Equal(0, TrainerCommandLine.Run(["init", book.CsvPath, "--target", "status", "--bad", "Charged Off", "--out", specPath]));
        var output = Path.Combine(book.Directory, "out");

        // One command (issue 31): the estimate is made before the model is written, and cannot change it: the fast
        // path (--no-estimate) writes the same graph, and a card that says it has no estimate.
        string[] args = ["--quick", "--family", "LogisticRegression", "--dataset", specPath, "--out", output];
        var outcome = TrainerRun.Train(TrainerOptions.Parse(args));
        Assert.NotNull(outcome.Nested);
        Assert.True(File.Exists(Path.Combine(output, TrainerRun.NestedFile)));
        Assert.Equal((outcome.Nested.Procedure.Mean, outcome.Nested.OuterFolds), (outcome.Card.NestedCv.CostPerApplicant, outcome.Card.NestedCv.OuterFolds));
        var fast = Path.Combine(book.Directory, "fast");
        var unestimated = TrainerRun.Train(TrainerOptions.Parse(["--quick", "--family", "LogisticRegression", "--dataset", specPath, "--out", fast, "--no-estimate"]));
        Assert.Null(unestimated.Nested);
        Assert.Equal(0, unestimated.Card.NestedCv.OuterFolds);
        Assert.Equal(File.ReadAllText(Path.Combine(output, "golden.json")), File.ReadAllText(Path.Combine(fast, "golden.json")));
        Assert.Equal(outcome.Card.Threshold, unestimated.Card.Threshold);
        Assert.Contains("**no estimate**", File.ReadAllText(Path.Combine(fast, ReportWriter.ReportFile)), StringComparison.Ordinal);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ReportWriter.SummaryFile), Encoding.UTF8));
        var groups = summary.RootElement.GetProperty("fairness").EnumerateArray().Where(g => g.GetProperty("attribute").GetString() == "maritalStatus").ToArray();
        var missing = Assert.Single(groups, g => g.GetProperty("group").GetString() == "(missing)");
        Assert.True(missing.GetProperty("suppressed").GetBoolean());
        var verdict = Assert.Single(summary.RootElement.GetProperty("fairnessVerdicts").EnumerateArray(), v => v.GetProperty("attribute").GetString() == "maritalStatus");
        Assert.Equal("single", verdict.GetProperty("lowestGroup").GetString());
        Assert.StartsWith("adverse impact: single", verdict.GetProperty("verdict").GetString(), StringComparison.Ordinal);

        var report = File.ReadAllText(Path.Combine(output, ReportWriter.ReportFile));
        Assert.Contains("| maritalStatus | (missing) | fewer than 30 | suppressed |", report, StringComparison.Ordinal);
        Assert.Contains("Groups with fewer than 30 applicants are **suppressed** (`--min-group-size`, default 30)", report, StringComparison.Ordinal);
        Assert.Contains("Haldane–Anscombe", report, StringComparison.Ordinal);

        // Wording written for German Credit stays out of a lender's report; the fold thresholds say their scale.
        Assert.Contains("## Cost of compliance", report, StringComparison.Ordinal);
        Assert.DoesNotContain("previous shipped model", report, StringComparison.Ordinal);
        Assert.Contains("Thresholds chosen in the outer folds", report, StringComparison.Ordinal);

        // Without suppression the group of one is measured: no approvals, ratio 0, and its interval contains 0.
        var data = CreditData.Load(specPath);
        var unsuppressed = Fairness.Outcomes(data.Spec, data.Rows, outcome.Chosen.OutOfFold, outcome.Chosen.Best.Threshold, Selection.CostMatrix.Of(data.Spec), minGroupSize: 1);
        var one = Assert.Single(unsuppressed, g => g.Group == "(missing)");
        Assert.Equal(1, one.Applicants);
        Assert.All(unsuppressed.Where(g => !double.IsNaN(g.AdverseImpactRatio)), g =>
            Assert.InRange(g.AdverseImpactRatio, g.AirCi95Low, g.AirCi95High));
    }

    [Fact]
    public void Nested_fold_thresholds_are_shown_on_the_shipped_scale_when_the_model_is_recalibrated()
    {
        var platt = new Selection.Platt(0.5, 1.2, 0, 0);

        var text = ReportWriter.NestedThresholds([0.10, 0.12, 0.14], platt, chosen: 0.2);

        Assert.Contains("before recalibration: 0.100–0.140 (median 0.120)", text, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"the scale of the shipped threshold 0.2000: {platt.Apply(0.10):F3}–{platt.Apply(0.14):F3}"), text, StringComparison.Ordinal);
        Assert.Contains("on the same PD scale as the shipped threshold 0.2000", ReportWriter.NestedThresholds([0.10, 0.12, 0.14], null, 0.2), StringComparison.Ordinal);
    }

    /// <summary>Issue 32.6: with stdout a pipe (a log), the candidate table is not wrapped at 80 columns.</summary>
    [Fact]
    public async Task Redirected_output_keeps_each_candidate_on_one_line()
    {
        var specPath = Path.Combine(book.Directory, "redirected.json");
        File.WriteAllText(specPath, SpecDraft.ToJson(SpecDraft.FromCsv(book.CsvPath, "Status", ["Charged Off"], [], specPath).Spec));
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "CreditRisk.Trainer"),
            ["--quick", "--family", "LightGbm", "--no-report", "--no-estimate", "--dataset", specPath, "--out", Path.Combine(book.Directory, "redirected")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Paths.Root,
        };
        using var trainer = System.Diagnostics.Process.Start(start)!;
        var stderr = trainer.StandardError.ReadToEndAsync();
        var stdout = await trainer.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await trainer.WaitForExitAsync(timeout.Token);
        Assert.True(trainer.ExitCode == 0, stdout + await stderr);

        var lines = stdout.Split('\n');
        var names = Selection.Candidate.Grid(quick: true).Where(c => c.Kind == Selection.LearnerKind.LightGbm).Select(c => c.Name).ToArray();
        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.Contains(lines, l => l.Contains(name, StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Length > 80);

        // Issue 31: in a log, progress is plain lines with elapsed time and ETA (no bar), ending at the last step, and
        // the run says where its time went.
        Assert.DoesNotContain('\u2501', stdout);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^Cross-validating 1 candidates \(5-fold × 1\): 5/5 \(100 %\), elapsed \d+:\d\d, ETA 0:00"));
        Assert.Contains(lines, l => l.Contains("refit on all rows", StringComparison.Ordinal) && l.Contains('%'));
    }
}
