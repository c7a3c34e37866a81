using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.Monitoring;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>
/// Issue 33, item 7: monitoring groups a protected number (age) as the model's training report did, so a fair-lending
/// reviewer can set the two side by side. The trainer writes the quartile cuts to training-summary.json
/// (<c>fairnessCuts</c>), and monitoring reads them beside the model, trusting them only when they are the card's run.
/// </summary>
public sealed class AgeGroupTests
{
    private const string Key = "age-group-test-key-0123456789";

    private static string ShippedSummary => Path.Combine(Path.GetDirectoryName(TestModels.Shipped)!, FairnessCuts.FileName);

    [Fact]
    public void The_shipped_cuts_are_the_quartiles_of_the_training_ages()
    {
        var spec = TestModels.Spec(TestModels.German);
        var ages = GermanDriftTests.German.Read(spec).Select(a => a["age"].GetDouble());
        var (cuts, missing) = FairnessCuts.Read(TestModels.Shipped, TestModels.ShippedCard(TestModels.German));

        Assert.Null(missing);
        Assert.Equal(FairnessBands.Cuts(ages), cuts["age"]);
        Assert.Equal([27, 33, 42], cuts["age"]);
    }

    [Fact]
    public async Task Scoring_the_training_applicants_gives_the_reports_age_groups_with_its_counts()
    {
        using var app = new AppFactory(new Dictionary<string, string?>
        {
            ["ApiKey:Key"] = Key,
            ["Monitoring:RefreshSeconds"] = "1",
            ["Monitoring:WindowDecisions"] = "1000",
        });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", Key);
        var applicants = GermanDriftTests.German.Read(TestModels.Spec(TestModels.German));
        Assert.Equal(1000, applicants.Length);
        var batch = new JsonArray([.. applicants.Select(a => JsonSerializer.SerializeToNode(a, JsonSerializerOptions.Default))]);
        using (var scored = await client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = batch }))
        {
            Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        }

        var report = JsonNode.Parse(await client.GetStringAsync(new Uri("/api/v1/monitoring", UriKind.Relative)))!;
        var age = report["groups"]!.AsArray().Single(g => (string)g!["attribute"]! == "age")!;
        var live = age["groups"]!.AsArray().Select(g => ((string)g!["group"]!, (int)g["decisions"]!)).ToArray();

        // The report's Age groups, in its order, with its applicant counts: the same 1,000 people, the same bands.
        using var summary = JsonDocument.Parse(File.ReadAllText(ShippedSummary));
        var trained = summary.RootElement.GetProperty("fairness").EnumerateArray()
            .Where(g => g.GetProperty("attribute").GetString() == "Age")
            .Select(g => (g.GetProperty("group").GetString()!, g.GetProperty("applicants").GetInt32()))
            .ToArray();
        Assert.Equal(["≤ 27", "27–33", "33–42", "> 42"], trained.Select(t => t.Item1));
        Assert.Equal(trained, live);
        Assert.Equal(MonitoringFigures.ReportGroups, (string)age["groupedBy"]!);
        Assert.Equal(MonitoringFigures.SpecValues, (string)report["groups"]!.AsArray().Single(g => (string)g!["attribute"]! == "personalStatusSex")!["groupedBy"]!);
    }

    [Fact]
    public void Cuts_from_another_run_or_none_are_not_trusted()
    {
        var card = TestModels.ShippedCard(TestModels.German);
        var folder = Directory.CreateTempSubdirectory("age-groups-");
        try
        {
            var model = Path.Combine(folder.FullName, "model.onnx");
            Assert.Contains("not beside the model", FairnessCuts.Read(model, card).Missing);

            var other = JsonNode.Parse(File.ReadAllText(ShippedSummary))!;
            other["seed"] = card.Seed + 1;
            File.WriteAllText(Path.Combine(folder.FullName, FairnessCuts.FileName), other.ToJsonString());
            var (cuts, missing) = FairnessCuts.Read(model, card);
            Assert.Empty(cuts);
            Assert.Contains("not the training run of this model card", missing);

            other["seed"] = card.Seed;
            other["fairnessCuts"]!["age"] = new JsonArray(33, 27);
            File.WriteAllText(Path.Combine(folder.FullName, FairnessCuts.FileName), other.ToJsonString());
            Assert.Contains("ascending", FairnessCuts.Read(model, card).Missing);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(19, "≤ 27")]
    [InlineData(27, "≤ 27")]
    [InlineData(27.5, "27–33")]
    [InlineData(33, "27–33")]
    [InlineData(42, "33–42")]
    [InlineData(43, "> 42")]
    public void A_band_holds_its_upper_cut(double age, string group) =>
        Assert.Equal(group, FairnessBands.Label([27, 33, 42], age));
}
