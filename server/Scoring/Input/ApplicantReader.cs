using System.Buffers;
using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Model;

namespace CreditRisk.Server.Scoring.Input;

/// <summary>
/// Reads and validates scoring requests straight from the UTF-8 body, with rules compiled once from the served model's
/// data set spec (name → slot as UTF-8 bytes; no dictionary per request). Unlike model binding it reports every bad
/// field at once with the rule it breaks, rejects unknown and duplicated fields, and allocates nothing per field:
/// category values come back as the spec's own string instances. Protected and id attributes are accepted but optional;
/// ids are echoed in results, protected values are never fed to the model. Besides the spec's attributes an applicant
/// may carry the client's <c>applicationId</c> (a string), recorded with the decision.
/// </summary>
public sealed class ApplicantReader
{
    private const int MaxDepth = 8;
    private const int MaxEchoedNameLength = 64;

    /// <summary>The longest <c>applicationId</c> accepted.</summary>
    public const int MaxApplicationIdLength = ApplicationIds.MaxLength;

    /// <summary>The member that carries the client's application id; a spec attribute of the same name takes precedence.</summary>
    public const string ApplicationIdField = "applicationId";

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private static readonly byte[] ApplicantsProperty = "applicants"u8.ToArray();
    private static readonly byte[] ApplicationIdProperty = "applicationId"u8.ToArray();
    private readonly InputRule[] _rules;
    private readonly string _objectRule;

    public ApplicantReader(CreditModel model)
        : this(new InputRules(model))
    {
    }

    public ApplicantReader(InputRules rules)
    {
        _rules = [.. rules.Fields];
        _objectRule = rules.ObjectRule;
    }

    /// <summary>Reads one applicant (the body of POST /api/v1/score).</summary>
    public ApplicantRow? ReadApplicant(ReadOnlySequence<byte> body, ValidationErrors errors)
    {
        if (body.IsEmpty)
        {
            errors.Add(ValidationErrors.Body, "the request body is empty; send one applicant as a JSON object");
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            reader.Read();
            var applicant = ReadApplicant(ref reader, prefix: "", errors);
            EnsureEnd(ref reader);
            return errors.IsEmpty ? applicant : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            errors.Add(ValidationErrors.Body, Malformed(e));
            return null;
        }
    }

    /// <summary>Reads a batch (<c>{"applicants": [ … ]}</c>). Returns null with <paramref name="tooMany"/> set once the batch exceeds <paramref name="maxBatchSize"/>.</summary>
    public List<ApplicantRow>? ReadBatch(ReadOnlySequence<byte> body, int maxBatchSize, ValidationErrors errors, out bool tooMany)
    {
        tooMany = false;
        if (body.IsEmpty)
        {
            errors.Add(ValidationErrors.Body, "the request body is empty; send {\"applicants\": [ … ]}");
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                errors.Add(ValidationErrors.Body, "must be a JSON object with an 'applicants' array");
                return null;
            }

            List<ApplicantRow>? applicants = null;
            var seen = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals(ApplicantsProperty))
                {
                    errors.Add(EchoName(ref reader, ""), "is not a known field; unknown fields are rejected");
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                if (seen)
                {
                    errors.Add("applicants", "is given more than once");
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                seen = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    errors.Add("applicants", $"must be an array of 1 to {maxBatchSize} applicants");
                    reader.Skip();
                    continue;
                }

                applicants = [];
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (index == maxBatchSize)
                    {
                        tooMany = true;
                        return null;
                    }

                    var applicant = ReadApplicant(ref reader, $"applicants[{index}].", errors);
                    if (applicant is not null)
                    {
                        applicants.Add(applicant);
                    }

                    index++;
                }

                if (index == 0)
                {
                    errors.Add("applicants", $"must hold 1 to {maxBatchSize} applicants");
                }
            }

            if (!seen)
            {
                errors.Add("applicants", $"is required: an array of 1 to {maxBatchSize} applicants");
            }

            EnsureEnd(ref reader);
            return errors.IsEmpty ? applicants : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            errors.Add(ValidationErrors.Body, Malformed(e));
            return null;
        }
    }

    /// <summary>Reads the object at the reader's current token; on return the reader is on that value's last token.</summary>
    private ApplicantRow? ReadApplicant(ref Utf8JsonReader reader, string prefix, ValidationErrors errors)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            errors.Add(prefix.Length == 0 ? ValidationErrors.Body : prefix.TrimEnd('.'), _objectRule);
            reader.Skip();
            return null;
        }

        var row = new ApplicantRow(_rules.Length);
        Span<bool> given = _rules.Length <= 256 ? stackalloc bool[_rules.Length] : new bool[_rules.Length];
        var valid = true;
        var next = 0;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FindField(ref reader, next);
            if (field < 0 && reader.ValueTextEquals(ApplicationIdProperty))
            {
                valid &= ReadApplicationId(ref reader, prefix, row, errors);
                continue;
            }

            if (field < 0)
            {
                errors.Add(EchoName(ref reader, prefix), "is not a known attribute; unknown fields are rejected");
                reader.Read();
                reader.Skip();
                valid = false;
                continue;
            }

            next = field + 1;
            var rule = _rules[field];
            reader.Read();
            if (given[field])
            {
                errors.Add(prefix + rule.Name, "is given more than once");
                reader.Skip();
                valid = false;
                continue;
            }

            given[field] = true;
            string? problem;
            if (reader.TokenType == JsonTokenType.Null)
            {
                // null is "missing": allowed where the spec lets the value be missing, and for optional attributes.
                problem = rule.MayBeMissing ? null : $"may not be null; {rule.Text} (got null)";
            }
            else if (rule.IsId)
            {
                problem = ReadId(ref reader, rule, row);
            }
            else
            {
                problem = rule.IsCategory
                    ? ReadCategory(ref reader, rule, out row.Categories[field])
                    : ReadNumber(ref reader, rule, out row.Numbers[field]);
            }

            if (problem is not null)
            {
                errors.Add(prefix + rule.Name, problem);
                reader.Skip();
                valid = false;
            }
        }

        for (var i = 0; i < _rules.Length; i++)
        {
            if (!given[i] && _rules[i].Required)
            {
                errors.Add(prefix + _rules[i].Name, _rules[i].RequiredText);
                valid = false;
            }
        }

        return valid ? row : null;
    }

    /// <summary>Reads <c>applicationId</c>; on return the reader is on the value's last token.</summary>
    private static bool ReadApplicationId(ref Utf8JsonReader reader, string prefix, ApplicantRow row, ValidationErrors errors)
    {
        reader.Read();
        // null is "not given", as for any optional attribute (generated clients send null when it is unset).
        if (reader.TokenType == JsonTokenType.Null && row.ApplicationId is null)
        {
            return true;
        }

        var problem = row.ApplicationId is not null
            ? "is given more than once"
            : reader.TokenType != JsonTokenType.String
                ? $"must be a string of 1 to {MaxApplicationIdLength} characters (got {Describe(reader.TokenType)})"
                : reader.GetString() is not { Length: > 0 and <= MaxApplicationIdLength } text
                    ? $"must be a string of 1 to {MaxApplicationIdLength} characters"
                    : FreeText.HasControlCharacter(text) ? FreeText.Rule : null;
        if (problem is not null)
        {
            errors.Add(prefix + ApplicationIdField, problem);
            reader.Skip();
            return false;
        }

        row.ApplicationId = reader.GetString();
        return true;
    }

    private static string? ReadId(ref Utf8JsonReader reader, InputRule rule, ApplicantRow row)
    {
        var ok = rule.IsCategory
            ? reader.TokenType == JsonTokenType.String
            : reader.TokenType == JsonTokenType.Number && ReadNumber(ref reader, rule, out _) is null;
        if (!ok)
        {
            return $"{rule.Text} (got {Describe(reader.TokenType)})";
        }

        if (reader.TokenType == JsonTokenType.String && FreeText.HasControlCharacter(reader.GetString()))
        {
            return FreeText.Rule;
        }

        if (rule.IsDate && !DateValue.TryParse(reader.GetString(), out _))
        {
            return $"{rule.Text} (got a string that is not one)";
        }

        // Ids are rare and small: a copy of the value, echoed as sent.
        (row.Ids ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[rule.Name] = JsonElement.ParseValue(ref reader);
        return null;
    }

    private static string? ReadCategory(ref Utf8JsonReader reader, InputRule rule, out string? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return $"{rule.Text} (got {Describe(reader.TokenType)})";
        }

        for (var i = 0; i < rule.ValuesUtf8.Length; i++)
        {
            if (reader.ValueTextEquals(rule.ValuesUtf8[i]))
            {
                value = rule.Values[i];
                return null;
            }
        }

        return $"{rule.Text} (got an unknown value)";
    }

    private static string? ReadNumber(ref Utf8JsonReader reader, InputRule rule, out float value)
    {
        value = float.NaN;
        if (reader.TokenType != JsonTokenType.Number)
        {
            return $"{rule.Text} (got {Describe(reader.TokenType)})";
        }

        if (!reader.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            // 1e400 and 99999999999999999999…: no whole number a client meant, and above any range a spec can give.
            return rule.IsInteger ? $"{rule.Text} (got a number that is not a whole number)" : $"{rule.Text} (got a number out of range)";
        }

        // 6.0 and 6e0 are whole numbers too; 6.5 is not. IsWholeLiteral: 1e-400 and 0.000…1 round to the double 0
        // but are not whole numbers either.
        if (rule.NumberProblem(d, !rule.IsInteger || JsonNumbers.IsWholeLiteral(reader.ValueSpan)) is { } problem)
        {
            return $"{rule.Text} {problem}";
        }

        value = (float)d;
        return null;
    }

    /// <summary>Finds the attribute a JSON member names, trying <paramref name="expected"/> first: clients usually send spec order.</summary>
    private int FindField(ref Utf8JsonReader reader, int expected)
    {
        for (var n = 0; n < _rules.Length; n++)
        {
            var i = (expected + n) % _rules.Length;
            if (reader.ValueTextEquals(_rules[i].NameUtf8))
            {
                return i;
            }
        }

        return -1;
    }

    private static string EchoName(ref Utf8JsonReader reader, string prefix)
    {
        var name = reader.GetString() ?? "";
        if (name.Length > MaxEchoedNameLength)
        {
            name = name[..MaxEchoedNameLength] + "…";
        }

        return prefix + name;
    }

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        // Anything but whitespace after the value makes the reader throw (one JSON value per body).
        if (reader.Read())
        {
            throw new JsonException("unexpected content after the JSON value");
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Null => "null",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };

    private static string Malformed(Exception e) =>
        "the body is not valid JSON: " + (e is JsonException { Message: { } m } ? m : "invalid text");
}
