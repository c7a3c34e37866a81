using CreditRisk.Contracts;
using System.Buffers;
using System.Text.Json;
using Carter;
using CreditRisk.Server.Api;
using CreditRisk.Server.Hosting;
using CreditRisk.Server.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.OpenInference;

/// <summary>
/// The Open Inference Protocol (KServe "V2") over REST: health, server and model metadata, model ready and infer,
/// each model route also under /versions/{version}. Errors are the protocol's <c>{"error": "…"}</c>.
/// </summary>
public sealed class V2Module : ICarterModule
{
    private const string Tag = "Open Inference Protocol";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    // Error messages quote input names ('amount'); escaped as \u0027 they are hard to read in a terminal. The
    // response is application/json, never HTML, so the relaxed escaping is safe here.
    private static readonly JsonSerializerOptions ErrorJson = new(V2JsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        // No Accepts metadata: routing would answer a wrong content type with its own 415 problem, not the protocol's error.
        // Its contract is the protocol's own document (contracts/open-inference/open_inference_rest.yaml), so these
        // routes stay out of openapi.yaml, which is CreditRisk's own API.
        var v2 = app.MapGroup("/v2").WithTags(Tag).ExcludeFromDescription();
        v2.MapGet("/health/live", Live).WithName("V2ServerLive").WithSummary("Server live (Open Inference Protocol)");
        v2.MapGet("/health/ready", Ready).WithName("V2ServerReady").WithSummary("Server ready (Open Inference Protocol)");
        v2.MapGet("", GetServerMetadata).WithName("V2ServerMetadata").WithSummary("Server metadata (Open Inference Protocol)");

        foreach (var (prefix, suffix) in new[] { ("/v2/models/{name}", ""), ("/v2/models/{name}/versions/{version}", "Version") })
        {
            var model = app.MapApiGroup(prefix, ApiAccess.Open).WithTags(Tag).ExcludeFromDescription();
            model.MapGet("", GetModelMetadata).WithName("V2ModelMetadata" + suffix)
                .WithSummary("Model metadata: its inputs and outputs with name, datatype and shape (Open Inference Protocol)");
            model.MapGet("/ready", ModelReady).WithName("V2ModelReady" + suffix).WithSummary("Model ready (Open Inference Protocol)");
            // Infer scores and records like /api/v1/score/batch, so it carries the same key rule and the batch lane.
            var infer = app.MapApiGroup(prefix, ApiAccess.Scoring).WithTags(Tag).ExcludeFromDescription();
            infer.MapPost("/infer", Infer).WithName("V2ModelInfer" + suffix).WithMetadata(BatchLane.Instance)
                .WithSummary("Score a batch of applicants given as V2 tensors (Open Inference Protocol)")
                .WithDescription(
                    "One tensor per model input, shape [N, 1] (or [N]): BYTES for categories, FP32, FP64, INT32 or INT64 for " +
                    "numbers; a null element or a left-out tensor is a missing value where the spec allows one. Outputs: " +
                    "probability_of_default (FP32), decision (BYTES, approve or reject) and reasons (BYTES, one JSON array of " +
                    "reasons per row, empty for an approve), each [N, 1]. The rules are those of /api/v1/score/batch; a bad " +
                    "tensor is a 400 {\"error\": …} naming each input, its rows and the rule.");
        }
    }

    public static Ok Live() => TypedResults.Ok();

    public static async Task<Results<Ok, JsonHttpResult<V2Error>>> Ready(V2Scoring v2, CancellationToken cancellationToken) =>
        await v2.ReadyAsync(cancellationToken) ? TypedResults.Ok() : Error(StatusCodes.Status503ServiceUnavailable, "the server is not ready");

    public static Ok<ServerMetadata> GetServerMetadata() => TypedResults.Ok(V2Scoring.Server);

    public static Results<Ok<ModelMetadata>, JsonHttpResult<V2Error>> GetModelMetadata(string name, string? version, V2Models models, HttpContext http)
    {
        var (v2, unknown) = models.Resolve(name, version, http);
        return v2 is null ? Error(StatusCodes.Status404NotFound, unknown!) : TypedResults.Ok(v2.Metadata());
    }

    public static async Task<Results<Ok, JsonHttpResult<V2Error>>> ModelReady(string name, string? version, V2Models models, HttpContext http, CancellationToken cancellationToken)
    {
        var (v2, unknown) = models.Resolve(name, version, http);
        if (v2 is null)
        {
            return Error(StatusCodes.Status404NotFound, unknown!);
        }

        return await v2.ReadyAsync(cancellationToken) ? TypedResults.Ok() : Error(StatusCodes.Status503ServiceUnavailable, "the model is not ready");
    }

    public static async Task<Results<Ok<InferResponse>, JsonHttpResult<V2Error>>> Infer(
        string name, string? version, HttpRequest request, V2Models models, IOptions<LimitsOptions> limits)
    {
        var (v2, unknown) = models.Resolve(name, version, request.HttpContext);
        if (v2 is null)
        {
            return Error(StatusCodes.Status404NotFound, unknown!);
        }

        var (parsed, problem) = await JsonBody.ReadAsync(request, limits.Value.MaxRequestBodyBytes, ReadRequest, request.HttpContext.RequestAborted);
        if (problem is not null)
        {
            return Error(problem.StatusCode, problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "the request was refused");
        }

        var (id, inputs, outputs, error) = parsed;
        if (error is not null)
        {
            return Error(StatusCodes.Status400BadRequest, error);
        }

        InferOutcome outcome;
        try
        {
            outcome = await v2.InferAsync(inputs, outputs, "v2", request.HttpContext.TraceIdentifier);
        }
        catch (StoreUnavailableException e)
        {
            // No decision is answered that is not recorded: the protocol's error, with the retry hint of every 503.
            request.HttpContext.Response.Headers.RetryAfter = "1";
            return Error(StatusCodes.Status503ServiceUnavailable, e.Message);
        }

        if (outcome.Results is not { } results)
        {
            return Error(outcome.BatchTooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, outcome.Error!);
        }

        long[] shape = [results.Length, 1];
        var tensors = outcome.Outputs.Select(output => V2Scoring.Number(output, results[0]) is null
            ? new OutputTensor(output, V2Scoring.Bytes, shape, TensorData.Of([.. results.Select(r => V2Scoring.Text(output, r))]))
            : new OutputTensor(output, V2Scoring.Fp32, shape, TensorData.Of([.. results.Select(r => V2Scoring.Number(output, r)!.Value)])));
        var model = v2.Model;
        return TypedResults.Ok(new InferResponse
        {
            ModelName = model.Spec.Name,
            ModelVersion = model.Version,
            Id = id,
            Parameters = new InferResponseParameters(model.Threshold),
            Outputs = [.. tensors],
        });
    }

    internal static JsonHttpResult<V2Error> Error(int? status, string error) =>
        TypedResults.Json(new V2Error(error), ErrorJson, statusCode: status ?? StatusCodes.Status400BadRequest);

    private readonly record struct InferRequest(string? Id, List<InputTensor> Inputs, List<string> Outputs, string? Error);

    /// <summary>
    /// Reads inference_request: id, parameters (accepted, unused), inputs, outputs. Fields outside the schema are
    /// rejected, as in /api/v1; each input's data is flattened (the protocol allows nested arrays).
    /// </summary>
    private static InferRequest ReadRequest(ReadOnlySequence<byte> body)
    {
        List<InputTensor> inputs = [];
        List<string> outputs = [];
        try
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail("the body must be a JSON object (inference_request)");
            }

            string? id = null;
            var sawInputs = false;
            foreach (var member in root.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "id" when member.Value.ValueKind == JsonValueKind.String:
                        id = member.Value.GetString();
                        if (FreeText.HasControlCharacter(id))
                        {
                            return Fail("'id' " + FreeText.Rule);
                        }

                        break;
                    case "parameters" when member.Value.ValueKind == JsonValueKind.Object:
                        break;
                    case "inputs" when member.Value.ValueKind == JsonValueKind.Array:
                        sawInputs = true;
                        foreach (var input in member.Value.EnumerateArray())
                        {
                            if (ReadInput(input, inputs.Count) is { } bad)
                            {
                                return Fail(bad);
                            }

                            inputs.Add(ToTensor(input));
                        }

                        break;
                    case "outputs" when member.Value.ValueKind == JsonValueKind.Array:
                        foreach (var output in member.Value.EnumerateArray())
                        {
                            if (output.ValueKind != JsonValueKind.Object || !output.TryGetProperty("name", out var outputName) || outputName.ValueKind != JsonValueKind.String)
                            {
                                return Fail($"outputs[{outputs.Count}] must be an object with a string 'name'");
                            }

                            outputs.Add(outputName.GetString()!);
                        }

                        break;
                    case "id" or "parameters" or "inputs" or "outputs":
                        return Fail($"'{member.Name}' has the wrong type (see inference_request)");
                    default:
                        return Fail($"'{Echo(member.Name)}' is not a field of inference_request; unknown fields are rejected");
                }
            }

            return sawInputs ? new(id, inputs, outputs, null) : Fail("'inputs' is required: one tensor per model input");
        }
        catch (JsonException e)
        {
            return Fail($"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }

        static InferRequest Fail(string error) => new(null, [], [], error);
    }

    private static string? ReadInput(JsonElement input, int index)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            return $"inputs[{index}] must be an object (request_input)";
        }

        foreach (var member in input.EnumerateObject())
        {
            var ok = member.Name switch
            {
                "name" or "datatype" => member.Value.ValueKind == JsonValueKind.String,
                "shape" => member.Value.ValueKind == JsonValueKind.Array && member.Value.EnumerateArray().All(d => d.TryGetInt64(out _)),
                "data" => member.Value.ValueKind == JsonValueKind.Array,
                "parameters" => member.Value.ValueKind == JsonValueKind.Object,
                _ => false,
            };
            if (!ok)
            {
                return member.Name is "name" or "datatype" or "shape" or "data" or "parameters"
                    ? $"inputs[{index}].{member.Name} has the wrong type (name and datatype: strings; shape: whole numbers; data: an array)"
                    : $"inputs[{index}].{Echo(member.Name)} is not a field of request_input; unknown fields are rejected";
            }
        }

        foreach (var required in (string[])["name", "shape", "datatype", "data"])
        {
            if (!input.TryGetProperty(required, out _))
            {
                return $"inputs[{index}].{required} is required";
            }
        }

        return null;
    }

    private static JsonTensor ToTensor(JsonElement input)
    {
        var data = new List<JsonElement>();
        Flatten(input.GetProperty("data"), data);
        return new JsonTensor(
            input.GetProperty("name").GetString()!,
            input.GetProperty("datatype").GetString()!,
            [.. input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())],
            data);

        // Clone: the elements outlive the document (it is disposed once the request is read).
        static void Flatten(JsonElement element, List<JsonElement> into)
        {
            foreach (var item in element.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Array)
                {
                    Flatten(item, into);
                }
                else
                {
                    into.Add(item.Clone());
                }
            }
        }
    }

    internal static string Echo(string name) => name.Length > 64 ? name[..64] + "…" : name;
}
