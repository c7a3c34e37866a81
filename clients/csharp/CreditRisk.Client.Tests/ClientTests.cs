using System.Text.Json;

namespace CreditRisk.Client.Tests;

/// <summary>The NSwag-generated client against the real server: score, batch-score, model info, a typed problem, outcomes.</summary>
public sealed class ClientTests(LiveServer server) : IClassFixture<LiveServer>
{
    private readonly CreditRiskClient _client = new(server.Http, LiveServer.ApiKey);

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
            Assert.Equal(single.ProbabilityOfDefault, batch.Results[i].ProbabilityOfDefault);
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

    [Fact]
    public async Task Outcomes_post_one_at_a_time_and_as_a_batch_by_decision_or_application_id()
    {
        var applicationId = "cs-outcome-" + Guid.NewGuid();
        var first = await _client.ScoreApplicantAsync(Example());
        var other = Example();
        other.ApplicationId = applicationId;
        var second = await _client.ScoreApplicantAsync(other);
        var decisionId = first.DecisionId!.Value;
        var observedAt = DateTimeOffset.UtcNow;

        // The generated request sends the id it does not use as null: the server reads null as not given.
        var single = await _client.PostOutcomesAsync(new OutcomeRequest { DecisionId = decisionId, Defaulted = true, ObservedAt = observedAt });
        Assert.Equal(200, single.Status);
        Assert.Equal(decisionId, single.DecisionId);

        var batch = await _client.PostOutcomeBatchAsync(new OutcomeBatchRequest
        {
            Outcomes =
            [
                new OutcomeRequest { DecisionId = decisionId, Defaulted = false, ObservedAt = observedAt },
                new OutcomeRequest { ApplicationId = applicationId, Defaulted = true, ObservedAt = observedAt },
                new OutcomeRequest { DecisionId = Guid.NewGuid(), Defaulted = true, ObservedAt = observedAt },
            ],
        });
        Assert.Equal([200, 200, 404], batch.Results.Select(r => r.Status));
        Assert.Equal(decisionId, batch.Results[0].DecisionId);
        Assert.Equal(second.DecisionId, batch.Results[1].DecisionId);

        // Both are on the records: the batch's correction is the first decision's latest outcome.
        var record = await _client.GetDecisionAsync(decisionId);
        Assert.False(record.Outcome!.Defaulted);
        Assert.Equal([true, false], record.OutcomeHistory!.Select(o => o.Defaulted));
        Assert.True((await _client.GetDecisionAsync(second.DecisionId!.Value)).Outcome!.Defaulted);
    }

    [Fact]
    public async Task Without_the_key_an_outcome_is_a_typed_401_and_an_outcome_with_neither_id_a_400()
    {
        var keyless = new CreditRiskClient(server.Http);
        var unauthorised = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() =>
            keyless.PostOutcomesAsync(new OutcomeRequest { DecisionId = Guid.NewGuid(), Defaulted = true, ObservedAt = DateTimeOffset.UtcNow }));
        Assert.Equal(401, unauthorised.StatusCode);

        var neither = await Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(() =>
            _client.PostOutcomesAsync(new OutcomeRequest { Defaulted = true, ObservedAt = DateTimeOffset.UtcNow }));
        Assert.Contains("decisionId", neither.Result.Errors.Keys);
    }

    [Fact]
    public async Task An_enum_value_outside_its_enum_is_refused_before_any_request()
    {
        var counting = new CountingHandler(new HttpClientHandler());
        using var http = new HttpClient(counting) { BaseAddress = server.BaseAddress };
        var client = new CreditRiskClient(http);
        var bad = Example();
        bad.Purpose = (ApplicantPurpose)99;

        await Assert.ThrowsAsync<JsonException>(() => client.ScoreApplicantAsync(bad));
        Assert.Equal(0, counting.Requests);

        // Named members still go out as the contract's strings.
        bad.Purpose = ApplicantPurpose.RadioTv;
        bad.CheckingAccount = ApplicantCheckingAccount.From0To200;
        Assert.InRange((await client.ScoreApplicantAsync(bad)).ProbabilityOfDefault, 0, 1);
        Assert.Equal(1, counting.Requests);
    }
}
