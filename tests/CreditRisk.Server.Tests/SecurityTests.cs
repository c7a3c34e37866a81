using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests;

[Collection(AppCollection.Name)]
public sealed class SecurityTests(SharedApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/api/v1/model")]
    public async Task Page_and_api_send_a_strict_csp_and_nosniff(string path)
    {
        var response = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Static_page_has_no_inline_script()
    {
        var html = await _client.GetStringAsync("/");
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)[^>]*>", html);
        Assert.DoesNotMatch("<[^>]*\\son[a-z]+\\s*=", html);
    }

    [Fact]
    public async Task No_applicant_attribute_reaches_any_log_line()
    {
        // Distinctive values that occur nowhere else in the logs.
        var json = Http.ApplicantJson();
        json["creditAmount"] = 98765;
        json["durationMonths"] = 87;
        json["age"] = 93;
        json["purpose"] = "retraining";
        json["personalStatusSex"] = "femaleSingle";
        json["job"] = "unskilledNonResident";
        json["otherDebtors"] = "coApplicant";
        json["employmentSince"] = "unemployed";
        json["savings"] = "500to1000";
        json["otherInstallmentPlans"] = "stores";
        json["property"] = "savingsOrInsurance";
        json["checkingAccount"] = "200orMore";
        json["creditHistory"] = "allPaidThisBank";
        // Each call must have been served, or the scan below would pass on logs that never saw the values.
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson("/api/v1/score", json)).StatusCode);
        var batch = new JsonObject { ["applicants"] = new JsonArray(json.DeepClone(), json.DeepClone()) };
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson("/api/v1/score/batch", batch)).StatusCode);
        var bad = json.DeepClone().AsObject();
        bad["housing"] = "castleOfGlass";
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostJson("/api/v1/score", bad)).StatusCode);
        // The Open Inference Protocol's infer too, scored and refused.
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson($"/v2/models/{TestModels.German}/infer", OpenInferenceTests.InferRequest([json]))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostJson($"/v2/models/{TestModels.German}/infer", OpenInferenceTests.InferRequest([bad]))).StatusCode);

        var logs = app.Logs.Text;
        Assert.Contains("\"Decision\":", logs, StringComparison.Ordinal);
        Assert.Contains("\"PdBucket\":", logs, StringComparison.Ordinal);
        string[] values = ["98765", "\"87\"", ":87,", ":93,", "retraining", "femaleSingle", "unskilledNonResident", "coApplicant", "unemployed", "500to1000", "stores", "savingsOrInsurance", "200orMore", "allPaidThisBank", "castleOfGlass"];
        foreach (var value in values)
        {
            Assert.DoesNotContain(value, logs, StringComparison.Ordinal);
        }

        foreach (var feature in TestModels.Spec().Features)
        {
            Assert.DoesNotContain($"\"{feature.Name}\"", logs, StringComparison.Ordinal);
        }
    }
}
