using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace CreditRisk.Server.Tests;

/// <summary>Every kind of bad request gets a 4xx problem+json naming each bad field and its rule; never a 500.</summary>
[Collection(AppCollection.Name)]
public sealed class BadInputTests(SharedApp app)
{
    private const string Score = "/api/v1/score";
    private const string Batch = "/api/v1/score/batch";
    private readonly HttpClient _client = app.CreateClient();

    private static string With(string field, string rawValue)
    {
        var json = Http.ApplicantJson().ToJsonString();
        var start = json.IndexOf($"\"{field}\":", StringComparison.Ordinal) + field.Length + 3;
        var end = json.IndexOfAny([',', '}'], start);
        return json[..start] + rawValue + json[end..];
    }

    [Theory]
    [InlineData("durationMonths", "null", "must be a whole number from 1 to 120 (got null)")]
    [InlineData("age", "\"67\"", "must be a whole number from 18 to 100 (got a string)")]
    [InlineData("age", "true", "(got a boolean)")]
    [InlineData("age", "[67]", "(got an array)")]
    [InlineData("age", "{\"years\":67}", "(got an object)")]
    [InlineData("age", "101", "must be a whole number from 18 to 100 (got a number out of range)")]
    [InlineData("age", "17", "(got a number out of range)")]
    [InlineData("age", "-5", "(got a number out of range)")]
    [InlineData("age", "30.5", "(got a number that is not a whole number)")]
    [InlineData("age", "1e400", "(got a number that is not a whole number)")]
    [InlineData("creditAmount", "99999999999999999999", "must be a whole number from 1 to 1000000")]
    [InlineData("age", "\"NaN\"", "(got a string)")]
    [InlineData("age", "\"Infinity\"", "(got a string)")]
    [InlineData("purpose", "\"boat\"", "must be one of: newCar, usedCar, furniture, radioTv, appliances, repairs, education, vacation, retraining, business, other (got an unknown value)")]
    [InlineData("purpose", "\"RADIOTV\"", "(got an unknown value)")]
    [InlineData("purpose", "4", "must be one of: newCar, usedCar")]
    [InlineData("purpose", "null", "(got null)")]
    [InlineData("housing", "\"\"", "must be one of: rent, own, free (got an unknown value)")]
    public async Task Bad_field_value_is_a_400_naming_field_and_rule(string field, string rawValue, string rule)
    {
        var problem = await (await _client.PostJson(Score, With(field, rawValue))).AssertProblem(400);
        var errors = problem.ErrorsFor(field);
        Assert.Contains(errors, e => e.Contains(rule, StringComparison.Ordinal));
        Assert.Single(problem["errors"]!.AsObject());
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public async Task Non_json_number_literals_are_malformed_json(string literal)
    {
        var problem = await (await _client.PostJson(Score, With("age", literal))).AssertProblem(400);
        Assert.Contains(problem.ErrorsFor("$"), e => e.StartsWith("the body is not valid JSON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Whole_number_written_as_decimal_is_accepted()
    {
        var response = await _client.PostJson(Score, With("age", "40.0"));
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Every_missing_field_is_named()
    {
        var body = Http.ApplicantJson();
        body.Remove("durationMonths");
        body.Remove("purpose");
        body.Remove("age"); // protected: optional, so not named
        var problem = await (await _client.PostJson(Score, body)).AssertProblem(400);
        Assert.Equal(["is required; must be a whole number from 1 to 120"], problem.ErrorsFor("durationMonths"));
        Assert.Empty(problem.ErrorsFor("age"));
        Assert.Contains("is required; must be one of: newCar", problem.ErrorsFor("purpose")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_object_names_every_model_input_and_no_protected_attribute()
    {
        var problem = await (await _client.PostJson(Score, "{}")).AssertProblem(400);
        Assert.Equal(TestModels.Spec().Inputs.Select(f => f.Name).Order(StringComparer.Ordinal), problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Several_bad_fields_are_all_reported()
    {
        var body = Http.ApplicantJson();
        body["age"] = 7;
        body["purpose"] = "boat";
        body["durationMonths"] = "12";
        var problem = await (await _client.PostJson(Score, body)).AssertProblem(400);
        Assert.Equal(["age", "durationMonths", "purpose"], problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Unknown_fields_are_rejected()
    {
        var body = Http.ApplicantJson();
        body["colour"] = "blue";
        var problem = await (await _client.PostJson(Score, body)).AssertProblem(400);
        Assert.Equal(["is not a known attribute; unknown fields are rejected"], problem.ErrorsFor("colour"));
    }

    [Fact]
    public async Task Field_names_are_case_sensitive()
    {
        var problem = await (await _client.PostJson(Score, Http.ApplicantJson().ToJsonString().Replace("\"durationMonths\"", "\"DurationMonths\"", StringComparison.Ordinal))).AssertProblem(400);
        Assert.NotEmpty(problem.ErrorsFor("DurationMonths"));
        Assert.NotEmpty(problem.ErrorsFor("durationMonths"));
    }

    [Fact]
    public async Task Duplicated_keys_are_rejected()
    {
        var json = Http.ApplicantJson().ToJsonString().TrimEnd('}') + ",\"age\":30}";
        var problem = await (await _client.PostJson(Score, json)).AssertProblem(400);
        Assert.Equal(["is given more than once"], problem.ErrorsFor("age"));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"age\":")]
    [InlineData("not json")]
    [InlineData("{'age': 30}")]
    [InlineData("{\"age\": 30,}")]
    [InlineData("{} {}")]
    [InlineData("{\"x\": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}")]
    public async Task Malformed_json_is_a_400(string body)
    {
        var problem = await (await _client.PostJson(Score, body)).AssertProblem(400);
        Assert.Contains(problem.ErrorsFor("$"), e => e.StartsWith("the body is not valid JSON", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("\"applicant\"")]
    public async Task Non_object_body_is_a_400(string body)
    {
        var problem = await (await _client.PostJson(Score, body)).AssertProblem(400);
        Assert.NotEmpty(problem.ErrorsFor("$"));
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400()
    {
        var body = Http.ApplicantJson();
        var purpose = (string)body["purpose"]!;
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString().Replace($"\"{purpose}\"", $"\"{purpose}\u00ff\"", StringComparison.Ordinal));
        var at = Array.IndexOf(bytes, (byte)0xC3);
        bytes[at] = 0xFF;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await (await _client.PostAsync(Score, content)).AssertProblem(400);
    }

    [Theory]
    [InlineData(Score)]
    [InlineData(Batch)]
    public async Task Empty_body_is_a_400(string path)
    {
        var problem = await (await _client.PostJson(path, "")).AssertProblem(400);
        Assert.Contains("empty", problem.ErrorsFor("$")[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task Wrong_content_type_is_a_415(string mediaType)
    {
        var content = new StringContent(Http.ApplicantJson().ToJsonString(), Encoding.UTF8, mediaType);
        await (await _client.PostAsync(Score, content)).AssertProblem(415);
        await (await _client.PostAsync(Batch, content)).AssertProblem(415);
    }

    [Fact]
    public async Task Missing_content_type_is_a_415()
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Http.ApplicantJson().ToJsonString()));
        await (await _client.PostAsync(Score, content)).AssertProblem(415);
    }

    [Fact]
    public async Task Batch_errors_are_named_by_row()
    {
        var good = Http.ApplicantJson();
        var bad = Http.ApplicantJson();
        bad["purpose"] = "boat";
        bad["extra"] = 1;
        var body = new JsonObject { ["applicants"] = new JsonArray(good.DeepClone(), good.DeepClone(), good.DeepClone(), bad, 5) };
        var problem = await (await _client.PostJson(Batch, body)).AssertProblem(400);
        Assert.Contains("must be one of: newCar, usedCar", problem.ErrorsFor("applicants[3].purpose")[0], StringComparison.Ordinal);
        Assert.NotEmpty(problem.ErrorsFor("applicants[3].extra"));
        Assert.NotEmpty(problem.ErrorsFor("applicants[4]"));
        Assert.Equal(3, problem["errors"]!.AsObject().Count);
    }

    [Theory]
    [InlineData("{}", "applicants")]
    [InlineData("{\"applicants\": []}", "applicants")]
    [InlineData("{\"applicants\": {}}", "applicants")]
    [InlineData("{\"applicants\": null}", "applicants")]
    [InlineData("{\"applicants\": [], \"applicants\": []}", "applicants")]
    [InlineData("{\"applicants\": [], \"mode\": \"fast\"}", "mode")]
    [InlineData("[]", "$")]
    public async Task Bad_batch_shape_is_a_400(string body, string field)
    {
        var problem = await (await _client.PostJson(Batch, body)).AssertProblem(400);
        Assert.NotEmpty(problem.ErrorsFor(field));
    }

    [Fact]
    public async Task Unknown_route_and_wrong_method_are_problems()
    {
        await (await _client.GetAsync("/api/v1/nothing")).AssertProblem(404);
        await (await _client.GetAsync(Score)).AssertProblem(405);
        await (await _client.DeleteAsync("/api/v1/model")).AssertProblem(405);
    }
}
