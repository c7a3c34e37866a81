using System.Globalization;
using System.Text;
using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Selection;
using CreditRisk.Trainer.Export;

namespace CreditRisk.Trainer.Tests;

/// <summary>Loan-level economics (issue 28): the spec's rules, the formulas, and the decision the ONNX graph computes.</summary>
public class LoanEconomicsTests
{
    private static string Repo(params string[] parts) => Path.Combine([Paths.Root, .. parts]);

    private static readonly JsonSerializerOptions Compact = new(DatasetSpec.Json) { WriteIndented = false };

    private const string Features = """
        [{"name":"amount","kind":"real","min":500},
         {"name":"rate","kind":"real","min":0,"max":40},
         {"name":"signedRate","kind":"real"},
         {"name":"term","kind":"category","values":[{"value":"term_36"},{"value":"term_60"}]},
         {"name":"months","kind":"integer","min":1,"max":120}]
        """;

    private static string Spec(string loan) => $$"""
        {"name":"t","title":"T","source":{"path":"t.csv"},"target":{"column":"o","bad":["1"],"good":["0"]},
         "costs":{"loan":{{loan}}},"features":{{Features}}}
        """;

    [Fact]
    public void The_lending_club_spec_declares_loan_level_economics_and_german_credit_stays_constant()
    {
        var lc = DatasetSpec.Load(Repo("data", "lending-club", "dataset.json"));
        var loan = Assert.IsType<LoanEconomicsSpec>(lc.Costs.Loan);
        Assert.Equal(("USD", "fundedAmount", "interestRate", RateUnit.Percent, "term"), (loan.Currency, loan.Exposure, loan.Rate, loan.RateUnit, loan.Term));
        Assert.Equal(36, loan.TermMonths!["term_36"]);
        Assert.Equal(60, loan.TermMonths!["term_60"]);
        Assert.Equal(0.9, loan.LossGivenDefault);

        var german = DatasetSpec.Load(Repo("data", "german-credit", "dataset.json"));
        Assert.Null(german.Costs.Loan);
        Assert.Equal((5.0, 1.0), (german.Costs.FalseNegative, german.Costs.FalsePositive));
        // A constant-cost spec serialises its costs as before (no loan, no points): its card's spec is unchanged.
        Assert.Equal("""{"falseNegative":5,"falsePositive":1}""", JsonSerializer.Serialize(german.Costs, Compact));
    }

    [Theory]
    [InlineData("""{"currency":"USD","exposure":"principal","rate":"rate","term":"term","termMonths":{"term_36":36,"term_60":60},"lossGivenDefault":0.9}""", "costs.loan.exposure names 'principal', which is not an attribute of the spec")]
    [InlineData("""{"currency":"USD","exposure":"amount","constantRate":-0.05,"term":"months","lossGivenDefault":0.9}""", "costs.loan.constantRate must be an annual rate as a fraction in (0, 1) (got -0.05)")]
    [InlineData("""{"currency":"USD","exposure":"amount","rate":"rate","term":"term","termMonths":{"term_36":36},"lossGivenDefault":0.9}""", "costs.loan.termMonths does not map the term 'term_60' of 'term' to months")]
    [InlineData("""{"currency":"USD","exposure":"amount","rate":"signedRate","term":"months","lossGivenDefault":0.9}""", "costs.loan.rate 'signedRate' must declare a min of at least 0")]
    [InlineData("""{"currency":"USD","exposure":"amount","rate":"rate","constantRate":0.1,"term":"months","lossGivenDefault":0.9}""", "costs.loan.rate name a rate attribute or give a constantRate, exactly one of them")]
    [InlineData("""{"currency":"USD","exposure":"amount","rate":"rate","term":"months","lossGivenDefault":0}""", "costs.loan.lossGivenDefault must be from above 0 to 1")]
    [InlineData("""{"currency":"dollars","exposure":"amount","rate":"rate","term":"months","lossGivenDefault":0.9}""", "costs.loan.currency 'dollars' must be a three-letter ISO 4217 code")]
    [InlineData("""{"currency":"USD","exposure":"term","rate":"rate","term":"months","lossGivenDefault":0.9}""", "costs.loan.exposure 'term' must be a numeric attribute with role 'feature'")]
    [InlineData("""{"currency":"USD","exposure":"amount","rate":"rate","term":"months","termMonths":{"x":1},"lossGivenDefault":0.9}""", "costs.loan.termMonths 'months' is a number of months: termMonths is for a category term")]
    public void Economics_that_cannot_be_computed_are_refused_with_one_error_naming_the_field(string loan, string expected)
    {
        var e = Assert.Throws<DatasetSpecException>(() => DatasetSpec.Parse(Spec(loan), "t.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("t.json: costs.loan.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("; ", e.Problem, StringComparison.Ordinal); // one error
    }

    [Fact]
    public void A_valid_loan_spec_with_a_category_term_or_a_constant_rate_loads()
    {
        DatasetSpec.Parse(Spec("""{"currency":"USD","exposure":"amount","rate":"rate","term":"term","termMonths":{"term_36":36,"term_60":60},"lossGivenDefault":0.9,"fundingRate":0.02,"servicingFee":0.01}"""), "t.json");
        DatasetSpec.Parse(Spec("""{"currency":"EUR","exposure":"amount","constantRate":0.08,"term":"months","lossGivenDefault":0.6}"""), "t.json");
    }

    /// <summary>The closed form (interest = n·A − P; funding = interest · f/r) against a month-by-month amortisation schedule.</summary>
    [Theory]
    [InlineData(10000, 12.0, 36, 0.02, 0.01, 25)]
    [InlineData(35000, 25.0, 60, 0.03, 0.01, 0)]
    [InlineData(1000, 6.0, 36, 0.0, 0.0, 0)]
    public void The_margin_is_interest_of_the_amortisation_schedule_less_funding_on_the_outstanding_principal_and_fees(
        double principal, double ratePercent, int months, double funding, double servicing, double perLoan)
    {
        var loan = new LoanEconomicsSpec { Currency = "USD", Exposure = "a", Rate = "r", Term = "n", LossGivenDefault = 0.9, FundingRate = funding, ServicingFee = servicing, CostPerLoan = perLoan };
        var r = ratePercent / 100 / 12;
        var payment = principal * r / (1 - Math.Pow(1 + r, -months));
        double balance = principal, interest = 0, fundingCost = 0;
        for (var m = 0; m < months; m++)
        {
            interest += balance * r;
            fundingCost += balance * funding / 12;
            balance -= payment - balance * r;
        }

        Assert.Equal(0, balance, 6);
        var expected = interest - fundingCost - servicing * payment * months - perLoan;
        var amounts = LoanEconomics.Amounts(loan, (float)principal, (float)ratePercent, months);
        Assert.True(amounts.Valid);
        Assert.Equal(expected, amounts.Margin, expected * 1e-4);
        Assert.Equal(principal * 0.9, amounts.Loss, 1e-2);
        // The decision is the sign of the expected profit, at the threshold margin / (margin + loss).
        var t = amounts.Threshold(0.5f);
        Assert.True(amounts.ExpectedProfit(t * 0.99f) > 0);
        Assert.True(amounts.ExpectedProfit(Math.Min(1, t * 1.01f)) < 0);
    }

    [Fact]
    public void Economics_that_cannot_be_computed_at_scoring_fall_back_to_the_constant_threshold()
    {
        var loan = new LoanEconomicsSpec { Currency = "USD", Exposure = "a", Rate = "r", Term = "n", TermMonths = new Dictionary<string, int> { ["term_36"] = 36 }, LossGivenDefault = 0.9 };
        foreach (var (exposure, rate, months) in new[] { (float.NaN, 10f, 36f), (5000f, float.NaN, 36f), (5000f, 0f, 36f), (5000f, 10f, 0f), (-1f, 10f, 36f) })
        {
            var amounts = LoanEconomics.Amounts(loan, exposure, rate, months);
            Assert.False(amounts.Valid);
            Assert.Equal(0.17f, amounts.Threshold(0.17f));
            Assert.True(float.IsNaN(amounts.ExpectedProfit(0.1f)));
        }

        Assert.Equal(0f, LoanEconomics.Months(loan, "term_60", float.NaN)); // unmapped: 0 months, not valid
        Assert.Equal(0f, LoanEconomics.Months(loan, null, float.NaN));
        // A rate below the funding rate: the margin is negative, never worth approving.
        var underwater = LoanEconomics.Amounts(loan with { FundingRate = 0.2 }, 5000, 5, 36);
        Assert.True(underwater.Valid);
        Assert.True(underwater.Margin < 0);
        Assert.Equal(0f, underwater.Threshold(0.5f));
    }

    [Fact]
    public void The_points_scale_is_scorecardpys_by_default_and_doubles_the_odds_every_pdo_points()
    {
        var scale = PointsScale.Default;
        Assert.Equal(600, scale.Points(1 / 20f), 3); // good:bad 19:1
        Assert.Equal(650, scale.Points(1 / 39f), 3); // 38:1
        Assert.True(float.IsFinite(scale.Points(0)) && float.IsFinite(scale.Points(1)));
    }

    [Fact]
    public void Emp_of_a_perfect_ranking_is_the_expected_loss_avoided_and_of_a_useless_one_near_zero()
    {
        var isBad = Enumerable.Range(0, 1000).Select(i => i < 100).ToArray();
        var perfect = isBad.Select(b => b ? 0.9f : 0.1f).ToArray();
        var (emp, share) = MoneyEstimate.ExpectedMaximumProfit(perfect, isBad, MoneyEstimate.EmpRoi);
        // Rejecting exactly the defaulters gains λ·π0 for every λ > 0: E[λ] · 0.1 = (0.10 + 0.35 · 0.5) · 0.1.
        Assert.Equal((0.10 + 0.35 * 0.5) * 0.1, emp, 4);
        Assert.Equal(0.45 * 0.1, share, 3);
        var useless = isBad.Select(_ => 0.5f).ToArray();
        Assert.Equal(0, MoneyEstimate.ExpectedMaximumProfit(useless, isBad, MoneyEstimate.EmpRoi).Emp, 9);
    }

    /// <summary>Issue 31 changed the procedure (family-mean-v3): the shipped German Credit estimate is the earlier
    /// procedure's run, so a retrain must estimate afresh rather than reuse it, and the resolved options of its 1,000
    /// rows are the shipped resampling (selection 5 × 2, outer 5 × 10).</summary>
    [Fact]
    public void German_credits_shipped_estimate_is_not_reused_by_the_new_procedure_whose_resampling_for_1000_rows_is_the_shipped_one()
    {
        var data = CreditData.Load(Repo("data", "german-credit", "dataset.json"));
        var options = TrainerOptions.Parse([]).ResolvedFor(data.Rows.Count);
        Assert.Equal(new Resampling(5, 2, 5, 10), options.Resampling);
        var shipped = JsonDocument.Parse(File.ReadAllText(Repo("artifacts", "german-credit", "nested-cv.json"))).RootElement;
        Assert.NotEqual(shipped.GetProperty("fingerprint").GetString(), NestedCvResult.FingerprintOf(options, data.Spec, data.Sha256, options.Grid()));
        Assert.Equal((5, 2, 1), (Resampling.For(49_999).OuterFolds, Resampling.For(49_999).OuterRepeats, Resampling.For(50_000).Repeats));
        Assert.Equal((2, 1), (Resampling.For(1_000_000).OuterFolds, Resampling.For(1_000_000).OuterRepeats));
    }
}

/// <summary>The decision in the ONNX graph, on a Lending Club model (one logistic regression, fitted here).</summary>
[Collection(TrainerRuns.Name)]
public class LoanDecisionGraphTests
{
    private static readonly Lazy<(CreditData Data, byte[] Onnx, FittedModel Model)> LendingClub = new(() =>
    {
        var data = CreditData.Load(Path.Combine(Paths.Root, "data", "lending-club", "dataset.json"));
        var training = new Training(data.Spec, seed: 42);
        var model = training.FitModel(Candidate.OnePerFamily().First(c => c.Kind == LearnerKind.LogisticRegression), data.Rows);
        var onnx = OnnxEconomics.Append(OnnxExport.Convert(training.NewContext(), model, data.Rows), data.Spec, Fallback);
        return (data, onnx, model);
    });

    private const double Fallback = 0.3;

    private static CreditRecord With(CreditData data, CreditRecord row, string name, float? number = null, string? category = null)
    {
        var i = data.Spec.IndexOf(data.Spec.Find(name)!);
        return number is { } n ? row.With(i, row.Categories[i], n) : row.With(i, category, row.Numbers[i]);
    }

    [Fact]
    public void Two_applicants_who_differ_only_in_amount_or_rate_get_different_thresholds_and_each_decision_is_the_sign_of_its_expected_profit()
    {
        var (data, onnx, model) = LendingClub.Value;
        var row = data.Rows[0];
        CreditRecord[] rows =
        [
            With(data, row, "fundedAmount", 1000), With(data, row, "fundedAmount", 35000),
            With(data, row, "interestRate", 6), With(data, row, "interestRate", 25),
            .. data.Rows.Take(500),
        ];
        using var scorer = new OnnxScorer(onnx);
        OnnxExport.Verify(onnx, model, rows, Fallback); // PDs, thresholds, decisions, amounts and points against the trainer's
        var d = scorer.ScoreDecisions(data.Spec, rows);
        // Lending Club has no cost per loan, so the amount cancels out of margin / (margin + loss): the threshold is the
        // same up to float rounding, while the amounts (and so the expected profit) scale with it.
        Assert.Equal(d.Threshold[0], d.Threshold[1], 1e-5);
        Assert.NotEqual(d.Threshold[2], d.Threshold[3]);
        Assert.True(d.Threshold[3] > d.Threshold[2], "a higher rate earns more margin: a higher PD is acceptable");
        Assert.True(d.Loss[1] > 30 * d.Loss[0]);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(d.ExpectedProfit[i] > 0, d.Approve[i]);
            Assert.Equal((1 - d.Pd[i]) * d.Margin[i] - d.Pd[i] * d.Loss[i], d.ExpectedProfit[i], 1e-3 * Math.Max(1, Math.Abs(d.ExpectedProfit[i])));
        }

        Assert.Contains(false, d.Approve);
    }

    [Fact]
    public void The_amount_moves_the_threshold_only_through_a_cost_per_loan()
    {
        var loan = new LoanEconomicsSpec
        {
            Currency = "USD",
            Exposure = "amount",
            Rate = "rate",
            Term = "months",
            LossGivenDefault = 0.9,
            FundingRate = 0.02,
            ServicingFee = 0.01,
        };
        var small = LoanEconomics.Amounts(loan, 1000, 12, 36);
        var large = LoanEconomics.Amounts(loan, 35000, 12, 36);
        Assert.Equal(small.Threshold(0.3f), large.Threshold(0.3f), 1e-5);
        Assert.Equal(35, large.Loss / small.Loss, 1e-4);
        Assert.Equal(35, large.Margin / small.Margin, 1e-3);

        var withCost = loan with { CostPerLoan = 50 };
        var smallWithCost = LoanEconomics.Amounts(withCost, 1000, 12, 36);
        var largeWithCost = LoanEconomics.Amounts(withCost, 35000, 12, 36);
        Assert.True(smallWithCost.Threshold(0.3f) < largeWithCost.Threshold(0.3f) - 0.01, "a fixed cost weighs more on a small loan");
    }

    [Fact]
    public void Missing_or_out_of_range_economics_inputs_give_the_constant_threshold_and_nan_amounts_never_a_nan_decision()
    {
        var (data, onnx, _) = LendingClub.Value;
        var row = data.Rows[0];
        CreditRecord[] rows =
        [
            // NaN is no input for Lending Club's model itself (its spec refuses missing amounts and rates: ML.NET's graph
            // stops on it); the constant-rate fixture feeds a missing term its model imputes.
            With(data, row, "interestRate", 0), With(data, row, "interestRate", -3),
            With(data, row, "fundedAmount", -5), With(data, row, "term", category: ""), With(data, row, "term", category: "term_84"),
        ];
        using var scorer = new OnnxScorer(onnx);
        var d = scorer.ScoreDecisions(data.Spec, rows);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal((float)Fallback, d.Threshold[i]);
            Assert.Equal(!(d.Pd[i] > (float)Fallback), d.Approve[i]);
            Assert.True(float.IsNaN(d.Loss[i]) && float.IsNaN(d.Margin[i]) && float.IsNaN(d.ExpectedProfit[i]), $"row {i}");
            Assert.True(float.IsFinite(d.Points[i]));
        }
    }

    [Fact]
    public void A_constant_cost_graph_decides_by_todays_rule_with_the_constants_as_loss_and_margin()
    {
        var training = new Training(TestData.Spec, seed: 42);
        var model = training.FitModel(Candidate.OnePerFamily().First(c => c.Kind == LearnerKind.LogisticRegression), TestData.Rows);
        var onnx = OnnxEconomics.Append(OnnxExport.Convert(training.NewContext(), model, TestData.Rows), TestData.Spec, 0.172);
        OnnxExport.Verify(onnx, model, TestData.Rows, 0.172);
        using var scorer = new OnnxScorer(onnx);
        var d = scorer.ScoreDecisions(TestData.Spec, TestData.Rows);
        Assert.All(d.Threshold, t => Assert.Equal(0.172f, t));
        Assert.All(d.Loss, l => Assert.Equal(5f, l));
        Assert.All(d.Margin, m => Assert.Equal(1f, m));
        Assert.Equal(d.Pd.Select(p => !Decisions.Rejects(p, 0.172f)), d.Approve);
        // PDs are those of the graph without the decision: appending it changes no computation before it.
        using var plain = new OnnxScorer(OnnxExport.Convert(training.NewContext(), model, TestData.Rows));
        Assert.Equal(plain.Score(TestData.Spec, TestData.Rows), d.Pd);
    }
}

/// <summary>A data set with amounts and terms but no interest rate declares a constant rate, and trains and serves with it.</summary>
public sealed class ConstantRateFixture : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "creditrisk-constant-rate-" + Guid.NewGuid().ToString("N"));

    public string SpecPath => Path.Combine(Directory, "dataset.json");

    public ConstantRateFixture()
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(SpecPath, """
            {
              "name": "constant-rate-test",
              "title": "Amounts and terms, no rate (generated)",
              "source": { "path": "loans.csv" },
              "target": { "column": "bad", "bad": ["1"], "good": ["0"] },
              "costs": {
                "loan": { "currency": "EUR", "exposure": "amount", "constantRate": 0.09, "term": "months",
                          "lossGivenDefault": 0.6, "fundingRate": 0.03, "costPerLoan": 50 },
                "points": { "basePoints": 500, "baseOdds": 20, "pointsToDoubleOdds": 20 }
              },
              "features": [
                { "name": "amount", "kind": "real", "min": 500, "max": 50000, "unit": "EUR" },
                { "name": "months", "kind": "integer", "min": 6, "max": 84, "missing": "impute" },
                { "name": "income", "kind": "real", "min": 0 },
                { "name": "housing", "kind": "category", "values": [ { "value": "own" }, { "value": "rent" } ] }
              ]
            }
            """);
        var random = new Random(20261207);
        var csv = new StringBuilder("amount,months,income,housing,bad\n");
        for (var i = 0; i < 400; i++)
        {
            var amount = Math.Round(500 + random.NextDouble() * 30000);
            var months = random.Next(6, 85);
            var income = Math.Round(15000 + random.NextDouble() * 90000);
            var rent = random.Next(2) == 0;
            var risk = -2.2 + amount / 30000 - income / 80000 + (rent ? 0.5 : 0) + months / 100.0;
            var bad = random.NextDouble() < 1 / (1 + Math.Exp(-risk));
            csv.Append(CultureInfo.InvariantCulture, $"{amount},{(i % 25 == 0 ? "" : months.ToString(CultureInfo.InvariantCulture))},{income},{(rent ? "rent" : "own")},{(bad ? 1 : 0)}\n");
        }

        File.WriteAllText(Path.Combine(Directory, "loans.csv"), csv.ToString());
        _trained = new(() => TrainerRun.Train(TrainerOptions.Parse(["--quick", "--no-report", "--no-estimate", "--dataset", SpecPath, "--out", Output])));
    }

    /// <summary>The trainer's output folder; trained once, on first use, for every test of the class.</summary>
    public string Output => Path.Combine(Directory, "out");

    private readonly Lazy<TrainingOutcome> _trained;

    public TrainingOutcome Trained => _trained.Value;

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

[Collection(TrainerRuns.Name)]
public sealed class ConstantRateTests(ConstantRateFixture fixture) : IClassFixture<ConstantRateFixture>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void A_data_set_without_rates_trains_with_its_constant_rate_and_the_file_alone_gives_the_golden_decisions()
    {
        var output = fixture.Output;
        var outcome = fixture.Trained;
        Assert.Equal(DecisionEconomics.Loan, outcome.Card.Economics!.Basis);
        Assert.Equal("EUR", outcome.Card.Economics.Currency);

        var spec = outcome.Card.Dataset;
        var (constant, rows) = Golden.Read(spec, File.ReadAllText(Path.Combine(output, "golden.json")));
        var records = rows.Select(r => r.Row.Record).ToArray();
        using var scorer = new OnnxScorer(File.ReadAllBytes(Path.Combine(output, "model.onnx")));
        var d = scorer.ScoreDecisions(spec, records);
        OnnxExport.VerifyDecisions(d, Money.Of(spec, records), [.. rows.Select(r => r.Pd)], constant, spec.Costs.Points!);
        Assert.Equal(rows.Select(r => r.Decision == Decisions.Approve), d.Approve);
        Assert.True(rows.Select(r => r.RowThreshold).Distinct().Count() > 100, "each loan has its own threshold");
        // A missing term (months may be missing: the model imputes it) cannot give the economics: the constant threshold.
        var missing = rows.Where(r => float.IsNaN(r.Row.Record.Numbers[spec.IndexOf(spec.Find("months")!)])).ToArray();
        Assert.NotEmpty(missing);
        Assert.All(missing, r => Assert.Equal(constant, r.RowThreshold, 6));
    }

    /// <summary>
    /// The same file served by the real server over HTTP (it warms up over the golden rows beside it): each loan's money
    /// is the graph's (threshold, decision, basis, loss, margin and expected profit as the golden file recorded them) and
    /// the spec's formula by hand, at the constant 9 %; a loan whose term is missing takes the fallback.
    /// </summary>
    [Fact]
    public async Task The_constant_rate_file_served_over_http_answers_the_graphs_money_threshold_and_decision()
    {
        var outcome = fixture.Trained;
        var golden = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.Output, "golden.json")))!["rows"]!.AsArray();
        var rows = golden.Where(r => (string?)r!["kind"] == "data").Take(60).ToArray();
        Assert.Contains(rows, r => r!["loss"] is null); // every 25th row has no term: the fallback

        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var serverDll = Path.Combine(Paths.Root, "server", "bin", configuration, "net10.0", "CreditRisk.Server.dll");
        await using var server = await CreditRisk.Testing.ServerProcess.StartAsync(serverDll, new Dictionary<string, string>
        {
            ["Model__Path"] = Path.Combine(fixture.Output, "model.onnx"),
            ["Records__Enabled"] = "false",
        });
        var applicants = new System.Text.Json.Nodes.JsonArray([.. rows.Select(r => r!["input"]!.DeepClone())]);
        using var body = new StringContent(new System.Text.Json.Nodes.JsonObject { ["applicants"] = applicants }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var results = JsonSerializer.Deserialize<BatchScoreResponse>(text, Web)!.Results;
        Assert.Equal(rows.Length, results.Count);

        for (var i = 0; i < rows.Length; i++)
        {
            var (row, served) = (rows[i]!, results[i]);
            Assert.True(Math.Abs((double)row["pd"]! - served.ProbabilityOfDefault) <= OnnxExport.Tolerance, $"row {i}: {text}");
            Assert.Equal((string?)row["decision"], served.Decision);
            Assert.Equal((float)(double)row["threshold"]!, (float)served.Threshold);
            var input = row["input"]!.AsObject();
            if (row["loss"] is null)
            {
                Assert.Null(input["months"]);
                Assert.Equal(new DecisionMoney(DecisionMoney.Fallback, "EUR", null, null, null), served.Money);
                Assert.Equal(outcome.Card.Threshold, served.Threshold, 6);
                continue;
            }

            // The graph's amounts, as the golden file has them (float to float).
            Assert.Equal((DecisionEconomics.Loan, "EUR"), (served.Money!.Basis, served.Money.Currency));
            Assert.Equal((float)(double)row["loss"]!, (float)served.Money.Loss!.Value);
            Assert.Equal((float)(double)row["margin"]!, (float)served.Money.Margin!.Value);
            Assert.Equal((double)row["expectedProfit"]!, served.Money.ExpectedProfit!.Value, 1e-4 * Math.Max(1, Math.Abs(served.Money.ExpectedProfit.Value)) + 1e-2);

            // By hand, in double: the annuity at 9 % over the loan's months, less funding at 3 % on the outstanding
            // principal and the 50 EUR per loan; the loss is 60 % of the amount.
            var (amount, months) = ((double)input["amount"]!, (double)input["months"]!);
            const double Monthly = 0.09 / 12;
            var payment = amount * Monthly / (1 - Math.Pow(1 + Monthly, -months));
            var interest = (months * payment) - amount;
            var margin = interest - (interest * (0.03 / 12) / Monthly) - 50;
            var loss = 0.6 * amount;
            // The graph computes in float: the annuity's power of (1 + r) carries a relative error of about n·6e-8 into
            // n·A, which the margin (a small difference of large amounts) keeps in absolute terms, about 1e-5 of the amount.
            var tolerance = (2e-5 * amount) + 1e-2;
            Assert.Equal(loss, served.Money.Loss.Value, 1e-6 * loss);
            Assert.Equal(margin, served.Money.Margin.Value, tolerance);
            Assert.Equal(Math.Max(0, margin) / (Math.Max(0, margin) + loss), served.Threshold, (tolerance / (Math.Max(0, margin) + loss)) + 1e-6);
            Assert.Equal(((1 - served.ProbabilityOfDefault) * margin) - (served.ProbabilityOfDefault * loss), served.Money.ExpectedProfit.Value, tolerance);
            Assert.Equal(served.Money.ExpectedProfit >= 0 ? Decisions.Approve : Decisions.Reject, served.Decision);
        }

        Assert.Contains(results, x => x.Decision == Decisions.Reject && x.Money!.Basis == DecisionEconomics.Loan);
    }
}
