using Microsoft.OpenApi;

namespace CreditRisk.Server.OpenApi;

/// <summary>
/// Microsoft.OpenApi writes YAML 1.2, where a bare <c>yes</c> is a string. YAML 1.1 parsers (SnakeYAML under
/// openapi-generator, PyYAML) read bare yes/no/on/off as booleans, which would turn a category's "yes"/"no" values into
/// true/false in their generated clients. Quoting those few words keeps the document the same for everyone.
/// </summary>
public sealed class Yaml11SafeWriter(TextWriter textWriter) : OpenApiYamlWriter(textWriter)
{
    private static readonly HashSet<string> Yaml11Booleans = new(StringComparer.OrdinalIgnoreCase)
    {
        "y", "n", "yes", "no", "on", "off",
    };

    public override void WriteValue(string value)
    {
        if (Yaml11Booleans.Contains(value))
        {
            WriteValueSeparator();
            Writer.Write('\'' + value + '\'');
            return;
        }

        base.WriteValue(value);
    }
}
