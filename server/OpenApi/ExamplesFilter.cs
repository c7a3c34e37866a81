using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Server.Challenger;
using CreditRisk.Server.Model;
using CreditRisk.Server.Monitoring;
using CreditRisk.Server.Records;
using CreditRisk.Server.Scoring.Input;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CreditRisk.Server.OpenApi;

/// <summary>
/// Request and response examples for each operation, from the served model's card: its example applicant, and
/// reasons and validation errors naming its own attributes. The result figures are fixed illustrations, not live
/// model output.
/// </summary>
public sealed class ExamplesFilter(CreditModel model, InputRules rules, Microsoft.Extensions.Options.IOptions<NoticeOptions> noticeOptions) : IOperationFilter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var spec = model.Spec;
        var inputs = spec.Inputs.ToList();
        var reject = new ScoreResult(
            0.62, Decisions.Reject, model.Threshold, new ExpectedCost(model.Card.CostFalseNegative * 0.62, model.Card.CostFalsePositive * 0.38), "0123456789ab",
            [.. inputs.Take(2).Select((f, i) => new Reason(spec.ReasonCode(f), f.Name, f.ReasonText, i == 0 ? 0.21 : 0.08, Scoring.ReferenceSwapReasons.Readable(f, model.Reference, spec.IndexOf(f))))],
            DecisionId: Guid.Parse("01a2b3c4-d5e6-7f80-9a1b-2c3d4e5f6a7b"));
        var approve = new ScoreResult(
            0.05, Decisions.Approve, model.Threshold, new ExpectedCost(model.Card.CostFalseNegative * 0.05, model.Card.CostFalsePositive * 0.95), "0123456789ab", [],
            DecisionId: Guid.Parse("01a2b3c4-d5e6-7f80-9a1b-2c3d4e5f6a7c"));
        if (model.Economics is { } economics)
        {
            // Illustrative amounts: a loan that loses 9,000 if it defaults and earns 2,100 if it repays, or the card's weights.
            var (loss, margin) = economics.Basis == DecisionEconomics.Loan ? (9000.0, 2100.0) : (model.Card.CostFalseNegative, model.Card.CostFalsePositive);
            var threshold = margin / (margin + loss);
            DecisionMoney Money(double pd) => new(economics.Basis, economics.Currency, (1 - pd) * margin - pd * loss, loss, margin);
            var scale = spec.Costs.Points ?? PointsScale.Default;
            reject = reject with
            {
                Threshold = threshold,
                ExpectedCost = new(loss * 0.62, margin * 0.38),
                Money = Money(0.62),
                Points = Math.Round(scale.Points(0.62f), 2),
            };
            approve = approve with
            {
                Threshold = threshold,
                ExpectedCost = new(loss * 0.05, margin * 0.95),
                Money = Money(0.05),
                Points = Math.Round(scale.Points(0.05f), 2),
            };
        }

        var example = model.Card.ExampleApplicant;
        switch (operation.OperationId)
        {
            case "ScoreApplicant" or "ScoreApplicantByName":
                SetRequestExample(operation, example);
                SetResponseExample(operation, "200", reject);
                SetResponseExample(operation, "400", Validation(SampleErrors("")));
                SetResponseExample(operation, "404", UnknownModel);
                break;
            case "ScoreBatch" or "ScoreBatchByName":
                var ids = spec.Ids.ToList();
                SetRequestExample(operation, new { applicants = new[] { WithIds(example, ids, 1), WithIds(example, ids, 2) } });
                SetResponseExample(operation, "200", new BatchScoreResponse("0123456789ab",
                    [reject with { Ids = IdsOf(ids, 1) }, approve with { Ids = IdsOf(ids, 2) }]));
                SetResponseExample(operation, "400", Validation(SampleErrors("applicants[3].")));
                SetResponseExample(operation, "404", UnknownModel);
                break;
            case "ListModels":
                SetResponseExample(operation, "200", new ModelList(spec.Name, [new ModelSummary(
                    spec.Name, "0123456789ab", "1", spec.Title, model.Card.DescribeLearner(), Math.Round(model.Threshold, 4), ExampleTime, IsDefault: true)]));
                break;
            case "PromoteChallenger" or "RollbackModel":
                var promote = operation.OperationId == "PromoteChallenger";
                IReadOnlyList<PromotionCheck> checks = promote
                    ? [new("matured", true, "412 matured pairs of 9870 (at least 300)"),
                        new("paired cost interval", true, "challenger minus champion -0.0412 per applicant, 95 % interval [-0.0688, -0.0136] (must lie wholly below 0)"),
                        new("calibration", true, "challenger's mean PD 0.2871 against an observed default rate of 0.3010 (gap 0.0139, at most 0.05)")]
                    : [];
                SetRequestExample(operation, promote ? new PromotionRequest() : new PromotionRequest(RequestedBy: "risk officer", Reason: "complaints about the new version"));
                SetResponseExample(operation, "200", new PromotionResult(spec.Name, promote ? "promote" : "rollback", promote ? "0123456789ab" : "ba9876543210", promote ? "ba9876543210" : "0123456789ab", false, checks));
                SetResponseExample(operation, "400", Validation(new() { ["reason"] = ["is required with force: why the checks are overridden (at most 2000 characters, no control characters)"] }, "A forced promotion needs who and why"));
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send the admin key in the X-API-Key header."));
                SetResponseExample(operation, "404", UnknownModel);
                SetResponseExample(operation, "409", Problem(409, "The challenger is not promoted", "The challenger is not promoted: matured: 120 matured pairs of 9870 (at least 300). Send \"force\": true with requestedBy and reason to promote anyway."));
                break;
            case "ListModelEvents":
                SetResponseExample(operation, "200", new[]
                {
                    new ModelEvent(ExampleTime.AddDays(30), spec.Name, "promote", "0123456789ab", "ba9876543210", true, "risk officer", "regulator asked for the simpler model", []),
                    new ModelEvent(ExampleTime, spec.Name, "swap", "00aa11bb22cc", "0123456789ab", false, null, null, null),
                });
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send the API key in the X-API-Key header."));
                break;
            case "GetModel" or "GetNamedModel":
                SetResponseExample(operation, "404", UnknownModel);
                SetResponseExample(operation, "200", ModelModule.Describe(model) with
                {
                    // Fixed, so the document does not change with every retraining of the same spec.
                    Version = "0123456789ab",
                    TrainingDataSha256 = "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871",
                    TrainingCommit = "0123456789abcdef0123456789abcdef01234567",
                    TrainingCommitDate = "2026-11-25T14:00:00+00:00",
                    TrainingTreeDirty = false,
                });
                break;
            case "GetInputRules" or "GetNamedInputRules":
                SetResponseExample(operation, "200", InputRulesModule.Describe(rules));
                SetResponseExample(operation, "404", UnknownModel);
                break;
            case "GetDecision":
                SetResponseExample(operation, "200", Recorded(reject));
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send the API key in the X-API-Key header."));
                SetResponseExample(operation, "404", Problem(404, "Unknown decision", $"No decision has the id {reject.DecisionId}."));
                break;
            case "ListDecisions":
                SetResponseExample(operation, "200", new DecisionPage([Recorded(reject)], reject.DecisionId));
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send the API key in the X-API-Key header."));
                break;
            case "PostOutcomes":
                SetRequestExample(operation, new OutcomeRequest(reject.DecisionId, null, true, ExampleTime.AddMonths(9)));
                SetResponseExample(operation, "200", new OutcomeResult(200, reject.DecisionId));
                SetResponseExample(operation, "400", Validation(new() { ["observedAt"] = ["must be an RFC 3339 date-time string with an offset, e.g. 2026-03-01T00:00:00Z"] }, "The request is not a valid outcome"));
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send the API key in the X-API-Key header."));
                SetResponseExample(operation, "404", Problem(404, "Unknown decision", $"No decision has the id {reject.DecisionId}."));
                break;
            case "ListReviews":
                SetResponseExample(operation, "200", new ReviewQueuePage([Referred(reject)], reject.DecisionId));
                SetResponseExample(operation, "400", Validation(new() { ["status"] = ["must be 'pending' or 'reviewed'"] }, "The query is not valid"));
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send a reviewer's key in the X-API-Key header."));
                break;
            case "GetReview":
                SetResponseExample(operation, "200", Referred(reject) with { Reviews = [ReviewExample(reject)], FinalDecision = Decisions.Reject });
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send a reviewer's key in the X-API-Key header."));
                SetResponseExample(operation, "404", Problem(404, "Unknown decision", $"No decision has the id {reject.DecisionId}."));
                break;
            case "PostReview":
                SetRequestExample(operation, new ReviewRequest(Decisions.Reject, "Income could not be verified."));
                SetResponseExample(operation, "200", ReviewExample(reject));
                SetResponseExample(operation, "400", Validation(new() { ["decision"] = ["must be \"approve\" or \"reject\": a person decides; referring again is not a decision"] }, "The request is not a valid review"));
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send a reviewer's key in the X-API-Key header."));
                SetResponseExample(operation, "404", Problem(404, "Unknown decision", $"No decision has the id {reject.DecisionId}."));
                break;
            case "GetNotice":
                var notice = Notice.Of(Referred(reject) with { Reviews = [ReviewExample(reject)], FinalDecision = Decisions.Reject },
                    new NoticeOptions { LenderName = "Example Bank", LenderContact = "1 Main Street, Springfield; 555-0100", EcoaStatement = noticeOptions.Value.EcoaStatement })!;
                SetResponseExample(operation, "200", notice.ToText(), NoticeModule.Text);
                SetResponseExample(operation, "200", notice.ToHtml(), NoticeModule.Html);
                SetResponseExample(operation, "400", Validation(new() { ["format"] = ["must be 'html' or 'text' (or absent: the Accept header decides)"] }, "The query is not valid"));
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send a reviewer's key in the X-API-Key header."));
                SetResponseExample(operation, "404", Problem(404, "Unknown decision", $"No decision has the id {reject.DecisionId}."));
                SetResponseExample(operation, "409", Problem(409, "No adverse action", "The decision in force is approve, not reject: there is no adverse action to give notice of."));
                break;
            case "GetChallengerComparison":
                SetResponseExample(operation, "200", new ChallengerReport(
                    "0123456789ab", model.Card.DescribeLearner(), model.Threshold, "ba9876543210", "LogisticRegression", 0.18,
                    new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero), 10_000,
                    new ChallengerComparison(10_000, 0.071, 2_400, 0.532, 0.551, 0.547, 0.019, -0.004, 0.042)));
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send the API key in the X-API-Key header."));
                SetResponseExample(operation, "404", Problem(404, "No challenger configured",
                    "This server scores no challenger in shadow; set Model:ChallengerPath to the ONNX file of one with the served model's inputs."));
                break;
            case "GetMonitoring" or "GetModelMonitoring":
                SetResponseExample(operation, "200", MonitoringExample(reject, approve));
                SetResponseExample(operation, "401", Problem(401, "Unauthorized", "Send the API key in the X-API-Key header."));
                SetResponseExample(operation, "404", operation.OperationId == "GetModelMonitoring"
                    ? UnknownModel
                    : Problem(404, "Recording is off", "This server records no decisions (Records:Enabled=false)."));
                break;
            default:
                return;
        }

        SetResponseExample(operation, "413", Problem(413, "Request body too large", "The request body may hold at most 1048576 bytes (Limits:MaxRequestBodyBytes)."));
        SetResponseExample(operation, "415", Problem(415, "Unsupported media type", "The request body must be JSON (Content-Type: application/json), or for a batch also CSV (Content-Type: text/csv)."));
        SetResponseExample(operation, "429", Problem(429, "Too many requests", "At most 100 requests per 1 s per client; retry later."));
        SetResponseExample(operation, "503", Problem(503, "Server busy",
            "Scoring capacity and its queue are full (Limits:MaxConcurrentScores/ScoreQueueLimit, MaxConcurrentBatches/BatchQueueLimit); retry shortly."));
        // Both refusals say when to come back; a generated client (or a load balancer) can honour it.
        SetRetryAfter(operation, "429", "Seconds until the client's rate-limit window resets.");
        SetRetryAfter(operation, "503", "Seconds to wait before retrying: the scoring capacity is full, or the model returned a value that is not a probability.");
    }

    private static object UnknownModel => Problem(404, "Unknown model", "No model named 'no-such-model' is served; GET /api/v1/models lists them (german-credit, lending-club).");

    private static void SetRetryAfter(OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses?.TryGetValue(status, out var found) == true && found is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = description,
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
            };
        }
    }

    private static readonly DateTimeOffset ExampleTime = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);

    private DecisionRecord Recorded(ScoreResult result) => new(
        result.DecisionId!.Value, "A-2026-000123", ExampleTime, result.ModelVersion, result.Threshold, result.ProbabilityOfDefault,
        result.Decision, result.Reasons, JsonSerializer.SerializeToElement(model.Card.ExampleApplicant, Json),
        new RecordedOutcome(true, ExampleTime.AddMonths(9), ExampleTime.AddMonths(9).AddDays(1)),
        Money: result.Money, Model: model.Spec.Name);

    private DecisionRecord Referred(ScoreResult result) => Recorded(result) with
    {
        Decision = Decisions.Refer,
        Outcome = null,
        ReferReasons = [$"The probability of default ({100 * result.ProbabilityOfDefault:0.0} %) is within 5.0 percentage points of the threshold ({100 * result.Threshold:0.0} %)."],
        FinalDecision = Decisions.Refer,
    };

    private static ReviewRecord ReviewExample(ScoreResult result) => new(
        Guid.Parse("01a2b3c4-d5e6-7f80-9a1b-2c3d4e5f6a7d"), result.DecisionId!.Value, Decisions.Reject, "alice", "Income could not be verified.",
        ExampleTime.AddDays(1), Decisions.Refer, false);

    /// <summary>The report of a window of two decisions (the examples above, both with an outcome): real arithmetic on
    /// the card's baseline, fixed inputs, so the document changes only with the card.</summary>
    private MonitoringReport MonitoringExample(ScoreResult reject, ScoreResult approve)
    {
        var applicant = JsonSerializer.SerializeToElement(model.Card.ExampleApplicant, Json);
        WindowDecision[] window =
        [
            new(ExampleTime, approve.ProbabilityOfDefault, false, applicant, false, approve.Money),
            new(ExampleTime.AddMinutes(5), reject.ProbabilityOfDefault, true, applicant, true, reject.Money),
        ];
        return MonitoringFigures.Of(model.Card, "0123456789ab", window, new MonitoringOptions(), ExampleTime.AddMonths(9)) with { Model = model.Spec.Name };
    }

    /// <summary>The errors a client would see for a bad number, a bad category and a missing attribute of this spec (the readers' own rule texts).</summary>
    private Dictionary<string, string[]> SampleErrors(string prefix)
    {
        var errors = new Dictionary<string, string[]>();
        var inputs = rules.Fields.Where(f => f.Feature.Role == FeatureRole.Feature).ToList();
        if (inputs.FirstOrDefault(f => !f.IsCategory) is { } number)
        {
            errors[prefix + number.Name] = [$"{number.Text} (got a number out of range)"];
        }

        if (inputs.FirstOrDefault(f => f.IsCategory) is { } category)
        {
            errors[prefix + category.Name] = [$"{category.Text} (got an unknown value)"];
        }

        if (inputs.LastOrDefault(f => f.Required && !errors.ContainsKey(prefix + f.Name)) is { } required)
        {
            errors[prefix + required.Name] = [required.RequiredText];
        }

        errors[prefix + "colour"] = ["is not a known attribute; unknown fields are rejected"];
        return errors;
    }

    private static Dictionary<string, JsonElement> WithIds(IReadOnlyDictionary<string, JsonElement> example, List<FeatureSpec> ids, int n)
    {
        var row = new Dictionary<string, JsonElement>(example);
        foreach (var (name, value) in IdsOf(ids, n) ?? [])
        {
            row[name] = value;
        }

        return row;
    }

    private static Dictionary<string, JsonElement>? IdsOf(List<FeatureSpec> ids, int n) => ids.Count == 0
        ? null
        : ids.ToDictionary(f => f.Name, f => f.Role == FeatureRole.Date
            ? JsonSerializer.SerializeToElement($"2024-{n:00}-15") // the application date: an example must be a date
            : f.Kind == FeatureKind.Category
            ? JsonSerializer.SerializeToElement($"{f.Name}-{n}")
            : JsonSerializer.SerializeToElement(1000 + n));

    private static HttpValidationProblemDetails Validation(Dictionary<string, string[]> errors, string title = "The request is not a valid scoring request") => new(errors)
    {
        Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        Title = title,
        Status = 400,
        Detail = "Each entry of 'errors' names a field and the rule it breaks; '$' is the body as a whole.",
    };

    private static ProblemDetails Problem(int status, string title, string detail) => new()
    {
        Type = status switch
        {
            413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
            415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
            503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
            401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
            _ => "https://tools.ietf.org/html/rfc6585#section-4",
        },
        Title = title,
        Status = status,
        Detail = detail,
    };

    private static void SetRequestExample<T>(OpenApiOperation operation, T example)
    {
        if (operation.RequestBody?.Content is { } content)
        {
            foreach (var media in content.Values.OfType<OpenApiMediaType>())
            {
                media.Example = JsonSerializer.SerializeToNode(example, Json);
            }
        }
    }

    private static void SetResponseExample<T>(OpenApiOperation operation, string status, T example)
    {
        if (operation.Responses?.TryGetValue(status, out var response) == true && response.Content is { } content)
        {
            foreach (var media in content.Values.OfType<OpenApiMediaType>())
            {
                media.Example = JsonSerializer.SerializeToNode(example, Json);
            }
        }
    }

    /// <summary>A text example of one media type of a response (the notice: text/plain and text/html).</summary>
    private static void SetResponseExample(OpenApiOperation operation, string status, string example, string mediaType)
    {
        if (operation.Responses?.TryGetValue(status, out var response) == true && response.Content?.TryGetValue(mediaType, out var media) == true && media is OpenApiMediaType typed)
        {
            typed.Example = System.Text.Json.Nodes.JsonValue.Create(example);
        }
    }
}
