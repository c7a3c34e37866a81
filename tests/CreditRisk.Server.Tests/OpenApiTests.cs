using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.OpenApi;

namespace CreditRisk.Server.Tests;

[Collection(AppCollection.Name)]
public sealed class OpenApiTests(SharedApp app)
{
    private static readonly string Committed = Path.Combine(Paths.RepoRoot, "openapi.yaml");
    private readonly HttpClient _client = app.CreateClient();

    /// <summary>openapi.yaml is the public contract. To accept a deliberate change: UPDATE_OPENAPI=1 dotnet test.</summary>
    [Fact]
    public async Task Served_document_equals_the_committed_openapi_yaml()
    {
        var served = Normalize(await _client.GetStringAsync("/swagger/v1/swagger.yaml"));
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(Committed, served);
        }

        Assert.True(File.Exists(Committed), "openapi.yaml is missing at the repo root; run UPDATE_OPENAPI=1 dotnet test");
        var committed = Normalize(await File.ReadAllTextAsync(Committed));
        Assert.True(committed == served,
            "The served OpenAPI document differs from openapi.yaml. If the change is intended, run UPDATE_OPENAPI=1 dotnet test and commit openapi.yaml.");
    }

    [Fact]
    public async Task Every_operation_documents_itself_and_its_errors()
    {
        var doc = JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!;
        Assert.StartsWith("3.", (string)doc["openapi"]!, StringComparison.Ordinal);
        Assert.Equal("/", (string)doc["servers"]![0]!["url"]!);
        var operations = doc["paths"]!.AsObject()
            .Where(p => p.Key.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject().Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value!)))
            .ToList();
        // Scoring (2, and 2 by model name), the model and its input rules, the models and one by name with its rules, a
        // model's events, promotion and rollback, decision records (2), outcomes, monitoring (and by model name) and the challenger comparison;
        // the review queue, one application for review, a review, the notice.
        Assert.Equal(22, operations.Count);
        var batch = doc["paths"]!["/api/v1/score/batch"]!["post"]!;
        Assert.Equal("string", (string)batch["requestBody"]!["content"]!["text/csv"]!["schema"]!["type"]!);
        Assert.Equal("string", (string)batch["responses"]!["200"]!["content"]!["text/csv"]!["schema"]!["type"]!);
        foreach (var (path, method, operation) in operations)
        {
            var where = $"{method} {path}";
            Assert.False(string.IsNullOrEmpty((string?)operation["operationId"]), where);
            Assert.False(string.IsNullOrEmpty((string?)operation["summary"]), where);
            Assert.False(string.IsNullOrEmpty((string?)operation["description"]), where);
            var responses = operation["responses"]!.AsObject();
            Assert.True(responses.ContainsKey("429"), where);
            // Every 200 is JSON but the notice's, a letter as text/plain and text/html.
            Assert.NotNull(responses["200"]!["content"]!["application/json"]?["example"] ?? responses["200"]!["content"]!["text/plain"]!["example"]);
            if (method == "post")
            {
                Assert.NotNull(operation["requestBody"]!["content"]!["application/json"]!["example"]);
                // A refusal that says when to retry (rate limit, full capacity, unfit model) documents its Retry-After.
                foreach (var status in new[] { "429", "503" })
                {
                    Assert.Equal("integer", (string?)responses[status]!["headers"]!["Retry-After"]!["schema"]!["type"]);
                }

                foreach (var status in new[] { "200", "400", "413", "415", "429", "503" })
                {
                    Assert.True(responses.ContainsKey(status), $"{where} lacks {status}");
                    // Every media type of a response has an example (the batch's 200 is JSON or CSV).
                    foreach (var (_, any) in responses[status]!["content"]!.AsObject())
                    {
                        Assert.NotNull(any!["example"]);
                    }

                    var media = responses[status]!["content"]!.AsObject().First().Value!;
                    if (status != "200")
                    {
                        Assert.Equal("application/problem+json", responses[status]!["content"]!.AsObject().Single().Key);
                        Assert.NotNull(media["schema"]);
                    }
                }
            }
        }
    }

    [Fact]
    public async Task Applicant_schema_comes_from_the_data_set_spec()
    {
        var doc = JsonNode.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"))!;
        AssertApplicantSchemaFollows(doc, TestModels.Spec());
        var batch = doc["components"]!["schemas"]!["BatchScoreRequest"]!;
        Assert.False((bool)batch["additionalProperties"]!);
        Assert.Equal(1000, (int)batch["properties"]!["applicants"]!["maxItems"]!);
        Assert.Contains(TestModels.Spec().Title, (string)doc["info"]!["title"]!, StringComparison.Ordinal);
    }

    internal static void AssertApplicantSchemaFollows(JsonNode doc, DatasetSpec spec)
    {
        var schema = doc["components"]!["schemas"]!["Applicant"]!;
        Assert.False((bool)schema["additionalProperties"]!);
        Assert.Equal(spec.Inputs.Where(f => !f.MayBeMissing).Select(f => f.Name).Order(), schema["required"]!.AsArray().Select(n => (string)n!).Order());
        foreach (var feature in spec.Features)
        {
            var property = schema["properties"]![feature.Name]!;
            if (feature.IsCategory)
            {
                Assert.Equal("string", (string)property["type"]!);
                // OAS 3.0: a nullable enum lists null itself, or validators refuse the null the server accepts.
                var nullable = feature.MayBeMissing || feature.Role != FeatureRole.Feature;
                Assert.Equal([.. feature.Values.Select(v => v.Value), .. nullable ? [null] : Array.Empty<string?>()], property["enum"]!.AsArray().Select(n => (string?)n));
                // Generated clients name the members from the values (NSwag reads x-enumNames): no `_0to200`.
                Assert.Equal(feature.Values.Select(v => EnumMemberNames.Name(v.Value)), property["x-enumNames"]!.AsArray().Select(n => (string)n!));
                Assert.All(feature.Values, v => Assert.Contains(v.Text, (string)property["description"]!, StringComparison.Ordinal));
            }
            else if (feature.IsNumber)
            {
                Assert.Equal(feature.Kind == FeatureKind.Integer ? "integer" : "number", (string)property["type"]!);
                Assert.Equal(feature.Min, (double?)property["minimum"]);
                Assert.Equal(feature.Max, (double?)property["maximum"]);
            }

            Assert.Equal(feature.MayBeMissing || feature.Role != FeatureRole.Feature, (bool?)property["nullable"] ?? false);
        }

        var example = doc["paths"]!["/api/v1/score"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]!;
        Assert.All(example.AsObject(), p => Assert.NotNull(spec.Find(p.Key)));
    }

    internal static string Normalize(string text) =>
        string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd())).Trim() + "\n";
}
