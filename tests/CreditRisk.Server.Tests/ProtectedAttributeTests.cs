using System.Net;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests;

/// <summary>
/// Issue 15 over HTTP, on the shipped German Credit model: the API accepts the protected attributes (for monitoring),
/// but varying each one alone over all its values, for all 1,000 applicants, leaves every PD bit-identical, and no
/// reason is ever a protected attribute.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ProtectedAttributeTests(SharedApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Protected_attributes_are_accepted_but_never_change_a_pd_and_are_never_reasons()
    {
        var spec = TestModels.Spec();
        Assert.Equal(["personalStatusSex", "age", "foreignWorker"], spec.Protected.Select(f => f.Name));
        var rows = Golden.Load().Rows.Where(r => r.Kind == "data").ToArray();
        Assert.Equal(1000, rows.Length);
        Assert.All(spec.Protected, f => Assert.False(rows[0].Input.ContainsKey(f.Name))); // the golden file holds model inputs only

        var baseline = await ScoreAll(rows.Select(r => r.Input));
        Assert.Contains(baseline, r => r.Decision == Decisions.Reject);
        foreach (var f in spec.Protected)
        {
            JsonNode[] values = f.IsCategory
                ? [.. f.Values.Select(v => JsonValue.Create(v.Value))]
                : [.. Enumerable.Range((int)f.Min!.Value, (int)(f.Max!.Value - f.Min.Value) + 1).Select(v => JsonValue.Create(v))];
            foreach (var value in values)
            {
                var varied = await ScoreAll(rows.Select(r =>
                {
                    var input = r.Input.DeepClone().AsObject();
                    input[f.Name] = value.DeepClone();
                    return input;
                }));
                for (var i = 0; i < rows.Length; i++)
                {
                    Assert.True(BitConverter.DoubleToInt64Bits(baseline[i].ProbabilityOfDefault) == BitConverter.DoubleToInt64Bits(varied[i].ProbabilityOfDefault),
                        $"{f.Name} = {value.ToJsonString()} changed applicant {i}'s PD: {baseline[i].ProbabilityOfDefault} → {varied[i].ProbabilityOfDefault}");
                    Assert.Equal(baseline[i].Reasons.Select(r => r.Code), varied[i].Reasons.Select(r => r.Code));
                }
            }
        }

        var protectedNames = spec.Protected.Select(f => f.Name).ToHashSet();
        Assert.All(baseline, r =>
        {
            Assert.InRange(r.Reasons.Count, 0, Reason.MaxPerReject);
            Assert.DoesNotContain(r.Reasons, reason => protectedNames.Contains(reason.Feature));
        });
    }

    private async Task<IReadOnlyList<ScoreResult>> ScoreAll(IEnumerable<JsonNode> applicants)
    {
        var body = new JsonObject { ["applicants"] = new JsonArray([.. applicants.Select(a => a.Parent is null ? a : a.DeepClone())]) };
        var response = await _client.PostJson("/api/v1/score/batch", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!.Results;
    }
}
