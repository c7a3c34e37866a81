using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CreditRisk.Contracts;
using CreditRisk.Testing;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using V2 = global::Inference;

namespace CreditRisk.Server.Tests;

/// <summary>
/// Every transport calls the one decision pipeline (Scoring/DecisionPipeline): the same applicant sent through the
/// JSON single and batch endpoints, a CSV file, the page's request (the file as the browser posts it: the same
/// endpoint, text/csv), the Open Inference REST infer and gRPC ModelInfer is recorded six times alike and counted
/// alike. The server is the built binary on its own store, so the store holds exactly these six decisions.
/// </summary>
public sealed class PipelineTests : IAsyncLifetime
{
    private const string Model = TestModels.German;
    private readonly string _data = Directory.CreateTempSubdirectory("creditrisk-pipeline-").FullName;
    private ServerProcess _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        var grpcPort = ServerProcess.FreePort();
        _server = await ServerProcess.StartAsync(Paths.ServerDll, new Dictionary<string, string>
        {
            ["Inference__GrpcPort"] = grpcPort.ToString(CultureInfo.InvariantCulture),
            ["Records__DataFolder"] = _data,
        });
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task One_applicant_through_all_six_transports_gives_identical_records_and_counters()
    {
        // A reject, so the reasons stage runs too; its model inputs only, which every transport can carry.
        var spec = TestModels.Spec(Model);
        var golden = Golden.Load(Model).Rows.First(r => r.Kind == "data" && r.Decision == Decisions.Reject);
        var applicant = new JsonObject([.. spec.Inputs.Select(f => KeyValuePair.Create(f.Name, golden.Input[f.Name]?.DeepClone()))]);
        var client = _server.Client;
        var before = await Counters(client);

        using (var single = await client.PostJson("/api/v1/score", applicant.DeepClone()))
        {
            Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        }

        using (var batch = await client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray(applicant.DeepClone()) }))
        {
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        }

        var csv = string.Join(',', spec.Inputs.Select(f => f.Name)) + "\n" + string.Join(',', spec.Inputs.Select(f => Cell(applicant[f.Name]))) + "\n";
        using (var file = await client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), new StringContent(csv, Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        }

        // The page (wwwroot/js/batch.js): the chosen file's bytes as they are (here with a BOM and CRLF, as Excel saves
        // them), Content-Type text/csv, answered as CSV or problem+json.
        using (var page = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/v1/score/batch", UriKind.Relative)))
        {
            page.Content = new ByteArrayContent([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv.Replace("\n", "\r\n", StringComparison.Ordinal))]);
            page.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            page.Headers.Accept.ParseAdd("text/csv, application/problem+json");
            using var answer = await client.SendAsync(page);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        using (var v2 = await client.PostJson($"/v2/models/{Model}/infer", OpenInferenceTests.InferRequest([(JsonObject)applicant.DeepClone()])))
        {
            Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        }

        var grpc = new V2.GRPCInferenceService.GRPCInferenceServiceClient(_channel);
        var request = new V2.ModelInferRequest { ModelName = Model };
        foreach (var feature in spec.Inputs)
        {
            var contents = new V2.InferTensorContents();
            if (feature.IsCategory)
            {
                contents.BytesContents.Add(ByteString.CopyFromUtf8((string)applicant[feature.Name]!));
            }
            else
            {
                contents.Fp32Contents.Add((float)(double)applicant[feature.Name]!);
            }

            request.Inputs.Add(new V2.ModelInferRequest.Types.InferInputTensor
            {
                Name = feature.Name,
                Datatype = feature.IsCategory ? "BYTES" : "FP32",
                Shape = { 1, 1 },
                Contents = contents,
            });
        }

        await grpc.ModelInferAsync(request);

        // Six records, alike in everything but their ids and times: the same model, threshold, PD, decision, reasons
        // and applicant as the model was fed.
        var records = ReadRecords();
        Assert.Equal(6, records.Count);
        Assert.All(records, r => Assert.Equal(records[0], r));
        Assert.Equal(golden.Pd, double.Parse(records[0].Split('|')[2], CultureInfo.InvariantCulture), 1e-6);
        Assert.Contains("\"code\"", records[0], StringComparison.Ordinal);

        // Counted alike: six rejects, and one pass of each stage per transport (the page's request is a CSV one).
        var after = await Counters(client);
        Assert.Equal(6, after["scores|reject"] - before.GetValueOrDefault("scores|reject"));
        Assert.Equal(0, after.GetValueOrDefault("scores|approve") - before.GetValueOrDefault("scores|approve"));
        foreach (var (transport, requests) in new[] { ("score", 1), ("batch", 1), ("csv", 2), ("v2", 1), ("grpc", 1) })
        {
            foreach (var stage in new[] { "read", "score", "reasons", "record" })
            {
                var key = $"stage|{transport}|{stage}";
                Assert.True(after.GetValueOrDefault(key) - before.GetValueOrDefault(key) == requests, $"{key}: {after.GetValueOrDefault(key) - before.GetValueOrDefault(key)} observations, expected {requests}");
            }

            var seconds = $"seconds|{transport}";
            Assert.Equal(requests, after.GetValueOrDefault(seconds) - before.GetValueOrDefault(seconds));
        }
    }

    private static string Cell(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        _ => value.ToJsonString(),
    };

    /// <summary>Each decision as the store holds it, without its id and time.</summary>
    private List<string> ReadRecords()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "decisions.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT model_version, threshold, probability_of_default, decision, reasons, applicant FROM decisions";
        using var reader = command.ExecuteReader();
        var records = new List<string>();
        while (reader.Read())
        {
            records.Add(string.Join('|',
                reader.GetString(0),
                reader.GetDouble(1).ToString("R", CultureInfo.InvariantCulture),
                reader.GetDouble(2).ToString("R", CultureInfo.InvariantCulture),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5)));
        }

        return records;
    }

    /// <summary>The scoring counters: decisions by outcome, request durations and stage observations by transport.</summary>
    private static async Task<Dictionary<string, double>> Counters(HttpClient client)
    {
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var counters = new Dictionary<string, double>();
        foreach (Match m in Regex.Matches(metrics, @"^creditrisk_scores_total\{model=""german-credit"",decision=""(\w+)""\} (\S+)$", RegexOptions.Multiline))
        {
            counters[$"scores|{m.Groups[1].Value}"] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        foreach (Match m in Regex.Matches(metrics, @"^creditrisk_scoring_duration_seconds_count\{model=""german-credit"",endpoint=""(\w+)""\} (\S+)$", RegexOptions.Multiline))
        {
            counters[$"seconds|{m.Groups[1].Value}"] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        foreach (Match m in Regex.Matches(metrics, @"^creditrisk_pipeline_stage_duration_seconds_count\{model=""german-credit"",transport=""(\w+)"",stage=""(\w+)""\} (\S+)$", RegexOptions.Multiline))
        {
            counters[$"stage|{m.Groups[1].Value}|{m.Groups[2].Value}"] = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        }

        return counters;
    }
}
