using System.Text.Json;

namespace CreditRisk.Client.Tests;

/// <summary>
/// The client cannot send an incomplete applicant: in code a missing member does not compile (see InstallTests), and
/// JSON without it fails to deserialize, before any request: the counting handler sees none.
/// </summary>
public sealed class IncompleteApplicantTests(LiveServer server) : IClassFixture<LiveServer>
{
    private const string Complete = Row1.Json;

    [Fact]
    public async Task An_applicant_with_fields_left_out_is_refused_before_any_request()
    {
        var counting = new CountingHandler(new HttpClientHandler());
        using var http = new HttpClient(counting) { BaseAddress = server.BaseAddress };
        var client = new CreditRiskClient(http);

        // The case: 14 of the 20 fields left out. Before, NSwag's plain enums and ints sent zeros and it scored.
        var incomplete = """{"checkingAccount": "below0", "durationMonths": 6, "creditHistory": "critical", "purpose": "radioTv", "creditAmount": 1169, "savings": "unknown"}""";
        var refused = Assert.Throws<JsonException>(() => Read(incomplete));
        Assert.Contains("missing required properties", refused.Message, StringComparison.Ordinal);
        Assert.Contains("employmentSince", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, counting.Requests);

        // The complete applicant goes through the same client and is scored: the handler does count requests.
        var result = await client.ScoreApplicantAsync(Read(Complete));
        Assert.InRange(result.ProbabilityOfDefault, 0, 1);
        Assert.Equal(1, counting.Requests);
    }

    [Fact]
    public void Every_required_attribute_of_the_contract_is_a_required_member()
    {
        var required = typeof(Applicant).GetProperties()
            .Where(p => p.GetCustomAttributes(typeof(System.Runtime.CompilerServices.RequiredMemberAttribute), false).Length > 0)
            .Select(p => p.Name)
            .ToList();
        // The model's 17 inputs; the protected attributes (age, personal status and sex, foreign worker) are optional.
        Assert.Equal(17, required.Count);
        Assert.DoesNotContain(nameof(Applicant.Age), required);
        Assert.Contains(nameof(Applicant.DurationMonths), required);
        Assert.Contains(nameof(Applicant.CheckingAccount), required);
    }

    private static Applicant Read(string json) => JsonSerializer.Deserialize<Applicant>(json)!;
}
