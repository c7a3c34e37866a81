using System.Text.Json;

namespace CreditRisk.Client.Tests;

/// <summary>The NSwag-generated client against the real server: score, batch-score, model info, a typed problem.</summary>
public sealed class ClientTests(LiveServer server) : IClassFixture<LiveServer>
{
    private readonly CreditRiskClient _client = new(server.Http);

    private static Applicant Example() => JsonSerializer.Deserialize<Applicant>(Row1.Json)!;

    [Fact]
    public async Task Score_returns_a_probability_and_the_decision_its_threshold_implies()
    {
        var result = await _client.ScoreApplicantAsync(Example());

        Assert.InRange(result.ProbabilityOfDefault, 0, 1);
        var expected = result.ProbabilityOfDefault > result.Threshold ? ScoreResultDecision.Reject : ScoreResultDecision.Approve;
        Assert.Equal(expected, result.Decision);
    }

    [Fact]
    public async Task Batch_scores_each_applicant_as_the_single_endpoint_does()
    {
        var applicants = new List<Applicant> { Example(), Example(), Example() };
        applicants[1].CreditAmount = 15000;
        applicants[2].DurationMonths = 48;

        var batch = await _client.ScoreBatchAsync(new BatchScoreRequest { Applicants = applicants });

        Assert.Equal(applicants.Count, batch.Results.Count);
        for (var i = 0; i < applicants.Count; i++)
        {
            var single = await _client.ScoreApplicantAsync(applicants[i]);
            Assert.Equal(single.ProbabilityOfDefault, batch.Results.ElementAt(i).ProbabilityOfDefault);
        }
    }

    [Fact]
    public async Task Model_describes_twenty_attributes_and_the_threshold()
    {
        var model = await _client.GetModelAsync();

        Assert.Equal(20, model.Features.Count);
        Assert.InRange(model.Threshold, 0, 1);
    }

    [Fact]
    public async Task An_out_of_range_value_is_a_typed_400_problem_naming_the_attribute()
    {
        var bad = Example();
        bad.DurationMonths = 500;

        var ex = await Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(() => _client.ScoreApplicantAsync(bad));

        Assert.Equal(400, ex.StatusCode);
        Assert.Equal(400, ex.Result.Status);
        Assert.Contains(ex.Result.Errors.Keys, k => k.Contains("durationMonths", StringComparison.OrdinalIgnoreCase));
    }
}
