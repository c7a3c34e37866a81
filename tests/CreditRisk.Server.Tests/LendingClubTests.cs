using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests;

/// <summary>The same binary serving the shipped Lending Club model: golden parity, reasons, bad input and its own OpenAPI document.</summary>
[Collection(LendingClubCollection.Name)]
public sealed class LendingClubTests(LendingClubApp app)
{
    private const string Dataset = TestModels.LendingClub;
    private static readonly string Committed = Path.Combine(Paths.RepoRoot, "artifacts", Dataset, "openapi.yaml");
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Scores_equal_the_trainers_golden_predictions()
    {
        await Golden.Load(Dataset).AssertServedBy(_client);
    }

    [Fact]
    public async Task Each_loan_is_decided_on_its_own_money()
    {
        // The example applicant at 6 % and at 25 %: the same borrower, two loans, two thresholds.
        var low = Http.ApplicantJson(Dataset);
        low["interestRate"] = 6;
        var high = Http.ApplicantJson(Dataset);
        high["interestRate"] = 25;
        var big = Http.ApplicantJson(Dataset);
        big["fundedAmount"] = 35000;
        var small = Http.ApplicantJson(Dataset);
        small["fundedAmount"] = 1000;
        var body = new JsonObject { ["applicants"] = new JsonArray(low, high, big, small) };
        var response = await _client.PostJson("/api/v1/score/batch", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var r = (await response.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!.Results;
        Assert.All(r, x =>
        {
            Assert.Equal(DecisionEconomics.Loan, x.Money!.Basis);
            Assert.Equal("USD", x.Money.Currency);
            Assert.Equal(x.Money.Margin!.Value / (x.Money.Margin.Value + x.Money.Loss!.Value), x.Threshold, 5);
            Assert.Equal((1 - x.ProbabilityOfDefault) * x.Money.Margin.Value - x.ProbabilityOfDefault * x.Money.Loss.Value, x.Money.ExpectedProfit!.Value, 1);
            Assert.Equal(x.Money.ExpectedProfit >= 0 ? Decisions.Approve : Decisions.Reject, x.Decision);
            Assert.Equal(x.ProbabilityOfDefault * x.Money.Loss.Value, x.ExpectedCost.Approve, 3);
            Assert.InRange(x.Points!.Value, 300, 900);
        });
        // A higher rate earns a larger margin on the same loss, so it tolerates a higher PD.
        Assert.True(r[1].Threshold > r[0].Threshold + 0.05, $"{r[0].Threshold} at 6 %, {r[1].Threshold} at 25 %");
        Assert.Equal(r[0].Money!.Loss, r[1].Money!.Loss);
        // The amount scales loss and margin alike (no cost per loan in this spec): the same threshold, 35 times the amounts.
        Assert.Equal(35000 * 0.9, r[2].Money!.Loss!.Value, 1);
        Assert.Equal(1000 * 0.9, r[3].Money!.Loss!.Value, 1);
        Assert.Equal(r[2].Threshold, r[3].Threshold, 4);
        Assert.Equal(35.0, r[2].Money!.Margin!.Value / r[3].Money!.Margin!.Value, 3);
    }

    [Fact]
    public async Task A_loan_whose_economics_cannot_be_computed_falls_back_to_the_constant_threshold_never_to_nan()
    {
        // A rate of 0 % is in the spec's range but earns no margin formula (the annuity divides by the rate): the
        // documented fallback is the card's constant threshold, amounts null, on every transport.
        var body = Http.ApplicantJson(Dataset);
        body["interestRate"] = 0;
        var response = await _client.PostJson("/api/v1/score", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var result = json.Deserialize<ScoreResult>(Http.Json)!;
        Assert.Equal(DecisionMoney.Fallback, result.Money!.Basis);
        Assert.Null(result.Money.ExpectedProfit);
        Assert.Null(result.Money.Loss);
        Assert.Null(result.Money.Margin);
        Assert.Equal((float)Golden.Load(Dataset).Threshold, (float)result.Threshold);
        Assert.Equal(Decisions.Decide(result.ProbabilityOfDefault, result.Threshold), result.Decision);
        Assert.DoesNotContain("NaN", json.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reject_reasons_name_lending_club_inputs_with_their_codes()
    {
        var spec = TestModels.Spec(Dataset);
        var rejected = Golden.Load(Dataset).Rows.First(r => r.Kind == "data" && r.Decision == Decisions.Reject);
        var result = (await (await _client.PostJson("/api/v1/score", rejected.Input.DeepClone())).Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
        Assert.Equal(Decisions.Reject, result.Decision);
        Assert.NotEmpty(result.Reasons);
        Assert.All(result.Reasons, r => Assert.Equal(spec.ReasonCode(spec.Find(r.Feature)!), r.Code));
    }

    [Fact]
    public async Task Model_info_describes_lending_club()
    {
        var info = (await _client.GetFromJsonAsync<ModelInfo>("/api/v1/model", Http.Json))!;
        Assert.Equal(Dataset, info.Dataset);
        Assert.Equal(TestModels.Spec(Dataset).Features.Select(f => f.Name), info.Features.Select(f => f.Name));
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson("/api/v1/score", JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(info.ExampleApplicant))!)).StatusCode);
    }

    [Theory]
    [InlineData("interestRate", "41", "must be a number from 0 to 40 (got a number out of range)")]
    [InlineData("interestRate", "\"12.5\"", "must be a number from 0 to 40 (got a string)")]
    [InlineData("fundedAmount", "1000.5", "must be a whole number from 500 to 40000 (got a number that is not a whole number)")]
    [InlineData("term", "\"term_48\"", "must be one of: term_36, term_60 (got an unknown value)")]
    [InlineData("state", "null", "may not be null")]
    public async Task Bad_field_value_is_a_400_naming_field_and_rule(string field, string rawValue, string rule)
    {
        var body = Http.ApplicantJson(Dataset);
        body[field] = JsonNode.Parse(rawValue);
        var problem = await (await _client.PostJson("/api/v1/score", body)).AssertProblem(400);
        Assert.Contains(problem.ErrorsFor(field), e => e.Contains(rule, StringComparison.Ordinal));
        Assert.Single(problem["errors"]!.AsObject());
    }

    [Fact]
    public async Task Every_missing_field_is_named()
    {
        var problem = await (await _client.PostJson("/api/v1/score", "{}")).AssertProblem(400);
        Assert.Equal(TestModels.Spec(Dataset).Inputs.Count(f => !f.MayBeMissing), problem["errors"]!.AsObject().Count);
    }

    /// <summary>Lending Club's contract, committed beside its model. To accept a deliberate change: UPDATE_OPENAPI=1 dotnet test.</summary>
    [Fact]
    public async Task Served_document_equals_the_committed_artifacts_openapi_yaml()
    {
        var served = OpenApiTests.Normalize(await _client.GetStringAsync("/swagger/v1/swagger.yaml"));
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(Committed, served);
        }

        Assert.True(File.Exists(Committed), $"{Committed} is missing; run UPDATE_OPENAPI=1 dotnet test");
        Assert.True(OpenApiTests.Normalize(await File.ReadAllTextAsync(Committed)) == served,
            "The served OpenAPI document differs from artifacts/lending-club/openapi.yaml. If intended, run UPDATE_OPENAPI=1 dotnet test and commit it.");
        OpenApiTests.AssertApplicantSchemaFollows(JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!, TestModels.Spec(Dataset));
    }
}
