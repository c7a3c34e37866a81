using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.Monitoring;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>
/// Issue 32, finding 1, in the server's monitoring: a group of a protected attribute smaller than
/// Monitoring:MinGroupSize is suppressed (its count only, no rate, no ratio, never the best group the others are divided
/// by), and the report states both minimums (Monitoring:MinGroupSize and Monitoring:MinOutcomes).
/// </summary>
public sealed class SmallGroupTests
{
    private const string Key = "small-group-test-key-0123456789";

    [Fact]
    public void A_group_below_the_minimum_is_suppressed_and_is_not_the_best_group()
    {
        // One applicant in A, approved; B: 2 of 4 approved. Without the minimum, A (100 %) would set B's ratio to 0.5.
        var groups = Outcomes.ApprovalByGroup([("A", false), ("B", false), ("B", true), ("B", false), ("B", true)], minGroupSize: 2);

        Assert.True(groups[0].Suppressed);
        Assert.Null(groups[0].AdverseImpactRatio);
        Assert.False(groups[1].Suppressed);
        Assert.Equal(1, groups[1].AdverseImpactRatio!.Value, 12);
        // The default keeps every group.
        Assert.All(Outcomes.ApprovalByGroup([("A", false), ("B", true)]), g => Assert.False(g.Suppressed));
    }

    [Fact]
    public async Task Monitoring_suppresses_a_group_of_one_over_http_and_states_the_minimums()
    {
        using var app = new AppFactory(new Dictionary<string, string?>
        {
            ["ApiKey:Key"] = Key,
            ["Monitoring:MinGroupSize"] = "5",
            ["Monitoring:RefreshSeconds"] = "1",
        });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", Key);
        var spec = TestModels.Spec(TestModels.German);
        var applicants = GermanDriftTests.German.Read(spec);
        // Ten real German applicants as single men, and the lowest-PD one of them sent again as the only divorced man.
        var batch = new JsonArray([.. applicants.Take(10).Select(a => (JsonNode)With(a, "maleSingle"))]);
        using (var scored = await client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = batch }))
        {
            Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
            var results = JsonNode.Parse(await scored.Content.ReadAsStringAsync())!["results"]!.AsArray();
            var safest = Enumerable.Range(0, 10).MinBy(i => (double)results[i]!["probabilityOfDefault"]!);
            Assert.Contains(results, r => (string)r!["decision"]! == Decisions.Reject);
            Assert.Equal(Decisions.Approve, (string)results[safest]!["decision"]!);
            using var lone = await client.PostJson("/api/v1/score", With(applicants[safest], "maleDivorced"));
            Assert.Equal(HttpStatusCode.OK, lone.StatusCode);
        }

        var report = JsonNode.Parse(await client.GetStringAsync(new Uri("/api/v1/monitoring", UriKind.Relative)))!;

        Assert.Equal(5, (int)report["minGroupSize"]!);
        Assert.Equal(new MonitoringOptions().MinOutcomes, (int)report["minOutcomes"]!);
        var sex = report["groups"]!.AsArray().Single(g => (string)g!["attribute"]! == "personalStatusSex")!["groups"]!.AsArray();
        var divorced = sex.Single(g => (string)g!["group"]! == "maleDivorced")!;
        Assert.Equal(1, (int)divorced["decisions"]!);
        Assert.True((bool)divorced["suppressed"]!);
        Assert.Null(divorced["approvalRate"]);
        Assert.Null(divorced["approved"]);
        Assert.Null(divorced["adverseImpactRatio"]);
        // The single men are the only group shown, so the best: their ratio is 1, not their rate over the lone approval.
        var single = sex.Single(g => (string)g!["group"]! == "maleSingle")!;
        Assert.False((bool)single["suppressed"]!);
        Assert.Equal(1, (double)single["adverseImpactRatio"]!, 12);
        Assert.True((double)single["approvalRate"]! < 1);
    }

    private static JsonObject With(IReadOnlyDictionary<string, JsonElement> applicant, string personalStatusSex)
    {
        var copy = JsonSerializer.SerializeToNode(applicant)!.AsObject();
        copy["personalStatusSex"] = personalStatusSex;
        return copy;
    }
}
