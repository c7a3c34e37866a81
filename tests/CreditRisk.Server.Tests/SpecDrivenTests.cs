using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests;

/// <summary>
/// One server binary serves any spec: a hand-made model over a deliberately awkward spec (German Credit's attributes
/// plus an id, a protected attribute, numbers and a category that may be missing, a real number, non-ASCII labels)
/// is validated, scored and documented from its card alone.
/// </summary>
public sealed class SpecDrivenTests : IClassFixture<SpecDrivenTests.AwkwardApp>
{
    private readonly HttpClient _client;

    public SpecDrivenTests(AwkwardApp app) => _client = app.CreateClient();

    public static DatasetSpec AwkwardSpec()
    {
        var german = TestModels.Spec();
        return german with
        {
            Name = "awkward",
            Title = "Awkward fixture",
            Features =
            [
                new FeatureSpec { Name = "loanId", Role = FeatureRole.Id, Kind = FeatureKind.Category, Label = "Loan id" },
                .. german.Features,
                new FeatureSpec { Name = "incomeRatio", Kind = FeatureKind.Real, Min = 0, Max = 5, Missing = MissingPolicy.ImputeWithIndicator, Label = "Ratio dépenses/revenu", Unit = "%" },
                new FeatureSpec
                {
                    Name = "region",
                    Missing = MissingPolicy.Impute,
                    Values = [new CategoryValue { Value = "nord", Label = "Nord-Süd" }, new CategoryValue { Value = "sud", Label = "Süd", Aliases = ["S"] }],
                },
                new FeatureSpec { Name = "gender", Role = FeatureRole.Protected, Values = [new CategoryValue { Value = "f" }, new CategoryValue { Value = "m" }] },
            ],
        };
    }

    public sealed class AwkwardApp() : ModelApp(TestModels.Write("awkward.onnx", TestModels.Tiny(spec: AwkwardSpec())));

    private static JsonObject Example() =>
        JsonSerializer.SerializeToNode(TestModels.SpecApplicant(AwkwardSpec(), 1), Http.Json)!.AsObject();

    [Fact]
    public async Task Missing_values_are_allowed_only_where_the_spec_says()
    {
        var body = Example();
        body["incomeRatio"] = null;
        body.Remove("region");
        body.Remove("gender");
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson("/api/v1/score", body)).StatusCode);

        body["durationMonths"] = null;
        var problem = await (await _client.PostJson("/api/v1/score", body)).AssertProblem(400);
        Assert.Equal(["may not be null; must be a whole number from 1 to 120 (got null)"], problem.ErrorsFor("durationMonths"));
        Assert.Single(problem["errors"]!.AsObject());
    }

    [Fact]
    public async Task Protected_and_id_values_are_checked_but_never_scored()
    {
        var body = Example();
        var plain = (await (await _client.PostJson("/api/v1/score", body)).Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
        body["gender"] = "m";
        body["loanId"] = "L-1";
        var withExtras = (await (await _client.PostJson("/api/v1/score", body)).Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
        Assert.Equal(plain.ProbabilityOfDefault, withExtras.ProbabilityOfDefault);

        body["gender"] = "x";
        body["loanId"] = 7;
        var problem = await (await _client.PostJson("/api/v1/score", body)).AssertProblem(400);
        Assert.Equal(["must be one of: f, m (got an unknown value)"], problem.ErrorsFor("gender"));
        Assert.Equal(["must be a string (got a number)"], problem.ErrorsFor("loanId"));
    }

    [Fact]
    public async Task Batch_results_carry_the_ids_back_in_order()
    {
        var rows = Enumerable.Range(0, 3).Select(i =>
        {
            var row = Example();
            row["loanId"] = $"L-{i}";
            return (JsonNode)row;
        }).Append(Example());
        var response = await _client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray([.. rows]) });
        var batch = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = batch["results"]!.AsArray();
        Assert.Equal(["L-0", "L-1", "L-2"], results.Take(3).Select(r => (string)r!["ids"]!["loanId"]!));
        Assert.Null(results[3]!["ids"]);
    }

    [Fact]
    public async Task Reals_and_whole_numbers_follow_their_kind()
    {
        var body = Example();
        body["incomeRatio"] = 0.25;
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson("/api/v1/score", body)).StatusCode);
        body["incomeRatio"] = 7.5;
        body["age"] = 30.5;
        var problem = await (await _client.PostJson("/api/v1/score", body)).AssertProblem(400);
        Assert.Equal(["must be a number from 0 to 5, or null when unknown (got a number out of range)"], problem.ErrorsFor("incomeRatio"));
        Assert.Equal(["must be a whole number from 18 to 100 (got a number that is not a whole number)"], problem.ErrorsFor("age"));
    }

    [Fact]
    public async Task Reasons_name_model_inputs_only_with_the_specs_codes()
    {
        // PD = sigmoid(0.1 · durationMonths − 2): a long loan is a reject, and the duration is its reason.
        var body = Example();
        body["durationMonths"] = 120;
        body["gender"] = "m";
        var result = (await (await _client.PostJson("/api/v1/score", body)).Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
        Assert.Equal(Decisions.Reject, result.Decision);
        var reason = Assert.Single(result.Reasons);
        Assert.Equal("durationMonths", reason.Feature);
        var spec = AwkwardSpec();
        Assert.Equal(spec.ReasonCode(spec.Find("durationMonths")!), reason.Code);
        Assert.Equal("R03", reason.Code);
    }

    [Fact]
    public async Task Model_info_and_openapi_follow_the_spec()
    {
        var info = (await _client.GetFromJsonAsync<ModelInfo>("/api/v1/model", Http.Json))!;
        Assert.Equal("awkward", info.Dataset);
        Assert.Equal(AwkwardSpec().Features.Select(f => f.Name), info.Features.Select(f => f.Name));
        Assert.Null(info.Features.Single(f => f.Name == "gender").ReasonCode);
        Assert.Equal("Ratio dépenses/revenu", info.Features.Single(f => f.Name == "incomeRatio").Label);

        var doc = JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!;
        Assert.Contains("Awkward fixture", (string)doc["info"]!["title"]!, StringComparison.Ordinal);
        var applicant = doc["components"]!["schemas"]!["Applicant"]!;
        var required = applicant["required"]!.AsArray().Select(n => (string)n!).ToList();
        Assert.Contains("durationMonths", required);
        Assert.DoesNotContain("age", required); // protected: accepted for monitoring, never required
        Assert.DoesNotContain("incomeRatio", required);
        Assert.DoesNotContain("loanId", required);
        Assert.DoesNotContain("gender", required);
        var ratio = applicant["properties"]!["incomeRatio"]!;
        Assert.Equal("number", (string)ratio["type"]!);
        Assert.True((bool)ratio["nullable"]!);
        Assert.Equal("integer", (string)applicant["properties"]!["age"]!["type"]!);
        // region may be missing: OAS 3.0 needs null in the enum itself, or a validator refuses the null the server accepts.
        Assert.Equal(["nord", "sud", null], applicant["properties"]!["region"]!["enum"]!.AsArray().Select(n => (string?)n));
        var ids = doc["components"]!["schemas"]!["ScoreResult"]!["properties"]!["ids"]!;
        Assert.Equal("string", (string)ids["properties"]!["loanId"]!["type"]!);
    }

    /// <summary>The data set is data: no attribute name (or CSV column) of a shipped spec appears in the server's C# sources.</summary>
    [Fact]
    public void No_shipped_attribute_name_is_written_in_server_code()
    {
        var names = new[] { TestModels.German, TestModels.LendingClub }
            .SelectMany(d => TestModels.Spec(d).Features)
            .SelectMany(f => new[] { f.Name, f.CsvColumn })
            .ToHashSet(StringComparer.Ordinal);
        var found = System.IO.Directory.EnumerateFiles(Path.Combine(Paths.RepoRoot, "server"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(p => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(p), "[A-Za-z_][A-Za-z0-9_]*")
                .Select(m => m.Value)
                .Where(names.Contains)
                .Select(n => $"{Path.GetRelativePath(Paths.RepoRoot, p)}: {n}"))
            .Distinct()
            .ToList();
        Assert.Empty(found);
    }
}
