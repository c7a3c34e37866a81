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
            decision.Enum = [JsonValue.Create(Decisions.Approve), JsonValue.Create(Decisions.Reject)];
            decision.Description = "`reject` when the probability of default is above the threshold, else `approve`.";
        }

        if (context.Type == typeof(ScoreResult) && target.Properties["reasons"] is OpenApiSchema reasons)
        {
            reasons.MaxItems = Reason.MaxPerReject;
            reasons.Description = $"Adverse-action reasons, for a reject only (an approve has none: reasons are not computed for it): at most {Reason.MaxPerReject}, " +
                "largest impact first, never a protected attribute.";
        }

        if (context.Type == typeof(Reason) && target.Properties["impact"] is OpenApiSchema impact)
        {
            impact.Description = Reason.ImpactMeaning;
        }
    }
}
