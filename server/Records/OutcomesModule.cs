using System.Buffers;
using System.Text.Json;
using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Records;

/// <summary>POST /api/v1/outcomes: whether an applicant defaulted, stored beside its decision (the monitoring loop's input).</summary>
public sealed class OutcomesModule : ICarterModule
{
    public const int MaxOutcomes = 1000;
    private const int MaxApplicationIdLength = ApplicationIds.MaxLength;

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapApiGroup("/api/v1", ApiAccess.Records).MapPost("/outcomes", PostOutcomes)
            .WithName("PostOutcomes")
            .WithTags("Decisions")
            .WithSummary("Feed back outcomes")
            .WithDescription(
                "One outcome {decisionId | applicationId, defaulted, observedAt} or a batch {\"outcomes\": [ … ]} of up to " +
                $"{MaxOutcomes}. An applicationId joins that application's latest decision. Idempotent: the same outcome again changes " +
                "nothing; a corrected one is kept as a new entry of the decision's outcome history, and the latest counts in monitoring. " +
                $"observedAt needs an offset, may not be before the decision nor more than {MaxClockSkew.TotalMinutes:0} minutes in the future (400). " +
                "A single outcome for an unknown id is a 404; in a batch, each item gets its own status. " +
                "An outcome may carry the amounts the lender booked, in the model's currency: interestReceived (interest actually received, " +
                "net of funding cost and fees) and lossAmount (the loss actually written off, net of recoveries; defaulted loans only). " +
                $"{AmountRule}. With either, monitoring's realised profit of an approved loan is interestReceived − lossAmount (a missing one 0); " +
                "without, the margin or loss recorded with the decision. " +
                $"Needs the {ApiKeyOptions.Header} header.")
            .Accepts<OutcomeBatchRequest>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    public static async Task<Results<Ok<OutcomeResult>, Ok<OutcomeBatchResponse>, ValidationProblem, ProblemHttpResult>> PostOutcomes(
        HttpRequest request, DecisionStore store, IOptions<RecordsOptions> options, IOptions<LimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return DecisionsModule.RecordingOff();
        }

        var errors = new ValidationErrors();
        var now = DateTimeOffset.UtcNow;
        var (parsed, problem) = await JsonBody.ReadAsync(request, limits.Value.MaxRequestBodyBytes, body => Read(body, now, errors), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (parsed is not { } outcomes || !errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request is not a valid outcome",
                detail: "Each entry of 'errors' names a field and the rule it breaks; '$' is the body as a whole.");
        }

        var results = new OutcomeResult[outcomes.Items.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var o = outcomes.Items[i];
            var id = o.DecisionId ?? await store.FindLatestAsync(o.ApplicationId!, cancellationToken);
            var written = id is { } known ? await store.SetOutcomeAsync(known, o.Defaulted, o.InterestReceived, o.LossAmount, o.ObservedAt, now, cancellationToken) : OutcomeWrite.UnknownDecision;
            results[i] = written switch
            {
                OutcomeWrite.Recorded or OutcomeWrite.Unchanged => new OutcomeResult(StatusCodes.Status200OK, id),
                OutcomeWrite.BeforeDecision => new OutcomeResult(StatusCodes.Status400BadRequest, id, $"observedAt {BeforeDecisionRule}"),
                _ => new OutcomeResult(StatusCodes.Status404NotFound, null, o.DecisionId is { } d
                    ? $"No decision has the id {d}."
                    : "No decision has this applicationId."),
            };
        }

        if (outcomes.Batch)
        {
            return TypedResults.Ok(new OutcomeBatchResponse(results));
        }

        return results[0].Status switch
        {
            StatusCodes.Status200OK => TypedResults.Ok(results[0]),
            StatusCodes.Status400BadRequest => TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["observedAt"] = [BeforeDecisionRule] }, title: "The request is not a valid outcome"),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown decision", detail: results[0].Detail),
        };
    }

    /// <summary>How far in the future an observedAt may be: the clocks of the lender's systems and of this server differ a little.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The rule of both amounts (interestReceived, lossAmount): one definition, named in every 400.</summary>
    public static readonly string AmountRule = $"Each amount must be a finite JSON number from 0 to {OutcomeAmounts.Max:0} in the model's currency, or null (not given)";

    private const string LossOnRepaidRule = "is only for a defaulted loan (defaulted: true): a repaid loan wrote nothing off";

    private static bool IsAmount(double value) => double.IsFinite(value) && value >= 0 && value <= OutcomeAmounts.Max;

    private const string BeforeDecisionRule = "must not be before the decision's time (decidedAt): an outcome follows its decision";

    /// <summary>RFC 3339 needs the offset ('Z' or ±hh:mm); without one the time would be read in the server's zone.</summary>
    private static bool HasOffset(string text) =>
        text.IndexOf('T', StringComparison.OrdinalIgnoreCase) > 0
        && (text[^1] is 'Z' or 'z' || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':'));

    private sealed record Parsed(List<OutcomeRequest> Items, bool Batch);

    private static Parsed? Read(ReadOnlySequence<byte> body, DateTimeOffset now, ValidationErrors errors)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                throw new JsonException("unexpected content after the JSON value");
            }
        }
        catch (JsonException e)
        {
            errors.Add(ValidationErrors.Body, "the body is not valid JSON: " + e.Message);
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(ValidationErrors.Body, "must be one outcome object or {\"outcomes\": [ … ]}");
                return null;
            }

            if (!root.TryGetProperty("outcomes", out var list))
            {
                return ReadOne(root, "", now, errors) is { } one ? new Parsed([one], Batch: false) : null;
            }

            foreach (var p in root.EnumerateObject())
            {
                if (p.Name != "outcomes")
                {
                    errors.Add(p.Name, "is not a known field; unknown fields are rejected");
                }
            }

            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0 or > MaxOutcomes)
            {
                errors.Add("outcomes", $"must be an array of 1 to {MaxOutcomes} outcomes");
                return null;
            }

            var items = new List<OutcomeRequest>(list.GetArrayLength());
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (ReadOne(item, $"outcomes[{index}].", now, errors) is { } outcome)
                {
                    items.Add(outcome);
                }

                index++;
            }

            return new Parsed(items, Batch: true);
        }
    }

    private static OutcomeRequest? ReadOne(JsonElement element, string prefix, DateTimeOffset now, ValidationErrors errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(prefix.Length == 0 ? ValidationErrors.Body : prefix.TrimEnd('.'), "must be an object {decisionId | applicationId, defaulted, observedAt}");
            return null;
        }

        Guid? decisionId = null;
        string? applicationId = null;
        bool? defaulted = null;
        DateTimeOffset? observedAt = null;
        double? interestReceived = null, lossAmount = null;
        var valid = true;
        var badId = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            var field = prefix + (p.Name.Length > 64 ? p.Name[..64] + "…" : p.Name);
            if (!seen.Add(p.Name))
            {
                errors.Add(field, "is given more than once");
                valid = false;
                continue;
            }

            switch (p.Name)
            {
                // null means "not given", as for an applicant's applicationId: a generated client sends the id it does
                // not use as null, and the rule below still needs exactly one of the two.
                case "decisionId" or "applicationId" when p.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "decisionId" when p.Value.ValueKind == JsonValueKind.String && Guid.TryParse(p.Value.GetString(), out var id):
                    decisionId = id;
                    break;
                case "decisionId":
                    errors.Add(field, "must be a decision id (a UUID string, as the score response gave it)");
                    valid = false;
                    badId = true;
                    break;
                case "applicationId" when p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() is { Length: > 0 and <= MaxApplicationIdLength } app:
                    applicationId = app;
                    if (FreeText.HasControlCharacter(app))
                    {
                        errors.Add(field, FreeText.Rule);
                        valid = false;
                        badId = true;
                    }

                    break;
                case "applicationId":
                    errors.Add(field, $"must be a string of 1 to {MaxApplicationIdLength} characters");
                    valid = false;
                    badId = true;
                    break;
                case "defaulted" when p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    defaulted = p.Value.GetBoolean();
                    break;
                case "defaulted":
                    errors.Add(field, "must be true or false");
                    valid = false;
                    break;
                case "observedAt" when p.Value.ValueKind == JsonValueKind.String && p.Value.TryGetDateTimeOffset(out var at) && HasOffset(p.Value.GetString()!):
                    observedAt = at;
                    if (at > now + MaxClockSkew)
                    {
                        errors.Add(field, $"must not be in the future (more than {MaxClockSkew.TotalMinutes:0} minutes of clock skew); an outcome is observed, not predicted");
                        valid = false;
                    }

                    break;
                case "observedAt":
                    errors.Add(field, "must be an RFC 3339 date-time string with an offset, e.g. 2026-03-01T00:00:00Z");
                    valid = false;
                    break;
                case "interestReceived" or "lossAmount" when p.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "interestReceived" or "lossAmount" when p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDouble(out var amount) && IsAmount(amount):
                    if (p.Name == "interestReceived")
                    {
                        interestReceived = amount;
                    }
                    else
                    {
                        lossAmount = amount;
                    }

                    break;
                case "interestReceived" or "lossAmount":
                    errors.Add(field, AmountRule);
                    valid = false;
                    break;
                default:
                    errors.Add(field, "is not a known field; unknown fields are rejected");
                    valid = false;
                    break;
            }
        }

        if (decisionId is null && applicationId is null && !badId)
        {
            errors.Add(prefix + "decisionId", "either decisionId or applicationId is required (a null one counts as not given)");
            valid = false;
        }
        else if (decisionId is not null && applicationId is not null)
        {
            errors.Add(prefix + "applicationId", "give decisionId or applicationId, not both");
            valid = false;
        }

        if (defaulted is null && !seen.Contains("defaulted"))
        {
            errors.Add(prefix + "defaulted", "is required: true or false");
            valid = false;
        }

        if (observedAt is null && !seen.Contains("observedAt"))
        {
            errors.Add(prefix + "observedAt", "is required: an RFC 3339 date-time string");
            valid = false;
        }

        if (lossAmount is not null && defaulted == false)
        {
            errors.Add(prefix + "lossAmount", LossOnRepaidRule);
            valid = false;
        }

        return valid ? new OutcomeRequest(decisionId, applicationId, defaulted!.Value, observedAt!.Value, interestReceived, lossAmount) : null;
    }
}
