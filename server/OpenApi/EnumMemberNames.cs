using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;

namespace CreditRisk.Server.OpenApi;

/// <summary>
/// Names for the members of a category's enum in generated clients, written beside the enum as <c>x-enumNames</c>
/// (NSwag / NJsonSchema; openapi-generator's is <c>x-enum-varnames</c>). Without them NSwag turns <c>0to200</c> into
/// <c>_0to200</c>. The name is the spec's value in PascalCase (<c>radioTv</c> → <c>RadioTv</c>, <c>Not_Verified</c> →
/// <c>NotVerified</c>), the identifier the spec's author chose and the literal the TypeScript client uses; the labels
/// are prose ("200 DM or more, or salary paid in for a year") and stay in the description. A value that starts with a
/// digit reads as a range or a lower bound, so it gets "From": <c>0to200</c> → <c>From0To200</c>, <c>7yOrMore</c> →
/// <c>From7YOrMore</c>.
/// </summary>
public static partial class EnumMemberNames
{
    public static void Add(OpenApiSchema schema, IReadOnlyList<string> values)
    {
        var names = Of(values);
        schema.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        schema.Extensions["x-enumNames"] = new JsonNodeExtension(new JsonArray([.. names.Select(n => (JsonNode)JsonValue.Create(n))]));
    }

    /// <summary>One name per value, in order; a name two values share gets the value's position as a suffix.</summary>
    public static IReadOnlyList<string> Of(IReadOnlyList<string> values)
    {
        var names = values.Select(Name).ToList();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (!taken.Add(names[i]) || names.Count(n => n == names[i]) > 1)
            {
                names[i] += (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                taken.Add(names[i]);
            }
        }

        return names;
    }

    public static string Name(string value)
    {
        var words = Words().Matches(value).Select(m => char.ToUpperInvariant(m.Value[0]) + m.Value[1..]);
        var name = string.Concat(words);
        return name.Length == 0 ? "Value" : char.IsAsciiDigit(name[0]) ? "From" + name : name;
    }

    // A word: a capitalised or lower-case run, an upper-case run (an acronym such as AK), or a number.
    [GeneratedRegex("[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")]
    private static partial Regex Words();
}
