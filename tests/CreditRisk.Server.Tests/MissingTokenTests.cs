using System.Net;
using System.Text;
using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests;

/// <summary>
/// The spec's missing tokens (<c>source.missingValues</c>) mean in a scoring CSV what they mean to the trainer: a cell
/// "NA" (or "?") is a missing value where the spec lets the attribute be missing, and "is required" where it does not.
/// The page posts its file to this same endpoint (PipelineTests, BatchTests).
/// </summary>
public sealed class MissingTokenTests(MissingTokenTests.NaApp app) : IClassFixture<MissingTokenTests.NaApp>
{
    private readonly HttpClient _client = app.CreateClient();

    /// <summary>The awkward spec (numbers, a category and a protected attribute that may be missing) with "NA" and "?" as missing tokens.</summary>
    public static DatasetSpec NaSpec()
    {
        var spec = SpecDrivenTests.AwkwardSpec();
        return spec with { Name = "awkward-na", Source = spec.Source with { MissingValues = ["", "NA", "?"] } };
    }

    public sealed class NaApp() : ModelApp(TestModels.Write("awkward-na.onnx", TestModels.Tiny(spec: NaSpec())));

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    [Fact]
    public async Task Missing_tokens_in_a_csv_score_like_empty_cells_and_like_null_in_json()
    {
        var spec = NaSpec();
        var example = TestModels.SpecApplicant(spec, 1);
        var names = spec.Features.Where(f => f.Role != FeatureRole.Id).Select(f => f.Name).ToList();
        string Row(string missing) => string.Join(',', names.Select(n =>
            n is "incomeRatio" or "region" or "gender" ? missing : example[n].ValueKind == JsonValueKind.String ? example[n].GetString() : example[n].GetRawText()));
        var csv = string.Join(',', names) + "\n" + Row("NA") + "\n" + Row(" ? ") + "\n" + Row("") + "\n";

        using var response = await _client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), Csv(csv));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var pdColumn = Array.IndexOf(lines[0].Split(','), "probabilityOfDefault");
        var pds = lines.Skip(1).Select(l => l.Split(',')[pdColumn]).ToList();
        Assert.Equal(3, pds.Count);
        Assert.All(pds, pd => Assert.Equal(pds[2], pd));

        var json = JsonSerializer.SerializeToNode(example, Http.Json)!.AsObject();
        json["incomeRatio"] = null;
        json["region"] = null;
        json.Remove("gender");
        json.Remove("loanId");
        var single = (await (await _client.PostJson("/api/v1/score", json)).Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
        Assert.Equal(single.ProbabilityOfDefault.ToString("R", System.Globalization.CultureInfo.InvariantCulture), pds[0]);
    }

    [Fact]
    public async Task A_missing_token_where_the_spec_refuses_missing_values_is_required_naming_line_and_column()
    {
        var spec = NaSpec();
        var example = TestModels.SpecApplicant(spec, 1);
        var names = spec.Inputs.Select(f => f.Name).ToList();
        var good = string.Join(',', names.Select(n => example[n].ValueKind == JsonValueKind.String ? example[n].GetString() : example[n].GetRawText()));
        var bad = string.Join(',', names.Select(n => n == "durationMonths" ? "NA" : example[n].ValueKind == JsonValueKind.String ? example[n].GetString() : example[n].GetRawText()));
        var csv = string.Join(',', names) + "\n" + good + "\n" + bad + "\n";

        var problem = await (await _client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), Csv(csv))).AssertProblem(400);
        Assert.Equal(["is required; must be a whole number from 1 to 120"], problem.ErrorsFor("line 3, durationMonths"));
        Assert.Single(problem["errors"]!.AsObject());
    }

    [Fact]
    public async Task The_rules_endpoint_states_the_tokens_and_each_rule_as_the_readers_do()
    {
        var rules = (await _client.GetFromJsonAsync<InputRulesInfo>(new Uri("/api/v1/model/rules", UriKind.Relative), Http.Json))!;
        Assert.Equal(["NA", "?"], rules.MissingValues);
        var ratio = rules.Fields.Single(f => f.Name == "incomeRatio");
        Assert.False(ratio.Required);
        Assert.Equal("must be a number from 0 to 5", ratio.Rule);
        Assert.Equal("must be a number from 0 to 5, or empty or NA or ? when unknown", ratio.CellRule);
        Assert.True(rules.Fields.Single(f => f.Name == "durationMonths").Required);
        Assert.Equal("must be one of: nord, sud (S), or empty or NA or ? when unknown", rules.Fields.Single(f => f.Name == "region").CellRule);
    }
}
