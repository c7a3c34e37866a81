using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CreditRisk.Server.OpenApi;

/// <summary>
/// Request and response examples for each operation. They are fixed illustrations, not live model output, so the
/// document does not change when the model is retrained.
/// </summary>
public sealed class ExamplesFilter : IOperationFilter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly ScoreResult RejectExample = new(
        0.62, Decisions.Reject, 0.17, new ExpectedCost(3.1, 0.38), "0123456789ab",
        [
            new Reason("R01", "checkingAccount", "Checking account status", 0.21),
            new Reason("R02", "durationMonths", "Loan duration", 0.08),
        ]);

    private static readonly ScoreResult ApproveExample = new(
        0.05, Decisions.Approve, 0.17, new ExpectedCost(0.25, 0.95), "0123456789ab", []);

    private static readonly ModelInfo ModelExample = new(
        "0123456789ab", "Ensemble", 0.13, CostWeights.FalseNegative, CostWeights.FalsePositive,
        new CrossValidatedCost(0.53, 0.48, 0.58, 0.79, 5, 10),
        new Dictionary<string, string>
        {
            ["combination"] = "mean PD",
            ["member1"] = "LogisticRegression(l1=0, l2=1)",
            ["member2"] = "LightGbm(leaves=4, learningRate=0.05, iterations=200, minRowsPerLeaf=20)",
        },
        1000, "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871", [], FeatureSchema.Version,
        [
            new FeatureInfo("checkingAccount", "categorical", "Status of existing checking account", "finances", null, null,
                FeatureSchema.Get("checkingAccount").Values),
            new FeatureInfo("durationMonths", "numeric", "Duration of the credit in months", "loan", 1, 120, null),
        ],
        "0123456789abcdef0123456789abcdef01234567", "2026-11-25T14:00:00+00:00");

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        switch (operation.OperationId)
        {
            case "ScoreApplicant":
                SetRequestExample(operation, Applicant.Example);
                SetResponseExample(operation, "200", RejectExample);
                SetResponseExample(operation, "400", Validation(new()
                {
                    ["age"] = ["must be an integer between 18 and 100 (got a number out of range)"],
                    ["purpose"] = ["must be one of: newCar, usedCar, furniture, radioTv, appliances, repairs, education, vacation, retraining, business, other (got an unknown value)"],
                    ["housing"] = ["is required; must be one of: rent, own, free"],
                }));
                break;
            case "ScoreBatch":
                SetRequestExample(operation, new BatchScoreRequest([Applicant.Example, Applicant.Example with { CheckingAccount = "none" }]));
                SetResponseExample(operation, "200", new BatchScoreResponse("0123456789ab", [RejectExample, ApproveExample]));
                SetResponseExample(operation, "400", Validation(new()
                {
                    ["applicants[3].creditAmount"] = ["must be an integer between 1 and 1000000 (got a string)"],
                    ["applicants[7].colour"] = ["is not a known attribute; unknown fields are rejected"],
                }));
                break;
            case "GetModel":
                SetResponseExample(operation, "200", ModelExample);
                break;
            default:
                return;
        }

        SetResponseExample(operation, "413", Problem(413, "Request body too large", "The request body may hold at most 1048576 bytes (Limits:MaxRequestBodyBytes)."));
        SetResponseExample(operation, "415", Problem(415, "Unsupported media type", "The request body must be JSON: send Content-Type: application/json."));
        SetResponseExample(operation, "429", Problem(429, "Too many requests", "At most 100 requests per 1 s per client; retry later."));
    }

    private static HttpValidationProblemDetails Validation(Dictionary<string, string[]> errors) => new(errors)
    {
        Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        Title = "The request is not a valid scoring request",
        Status = 400,
        Detail = "Each entry of 'errors' names a field and the rule it breaks; '$' is the body as a whole.",
    };

    private static ProblemDetails Problem(int status, string title, string detail) => new()
    {
        Type = status switch
        {
            413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
            415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
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
}
