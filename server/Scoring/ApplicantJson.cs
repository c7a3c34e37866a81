using System.Buffers;
using System.Text;
using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// Reads and validates scoring requests straight from the UTF-8 body, walking <see cref="FeatureSchema"/>. Unlike model
/// binding it reports every bad field at once with the rule it breaks, rejects unknown and duplicated fields, and
/// allocates nothing per field: category values come back as the schema's own string instances.
/// </summary>
public static class ApplicantJson
{
    private const int MaxDepth = 8;
    private const int MaxEchoedNameLength = 64;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private static readonly byte[] ApplicantsProperty = "applicants"u8.ToArray();
    private static readonly FieldRule[] Rules = [.. FeatureSchema.All.Select(f => new FieldRule(f))];

    /// <summary>Reads one applicant (the body of POST /api/v1/score).</summary>
    public static Applicant? ReadApplicant(ReadOnlySequence<byte> body, ValidationErrors errors)
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

    /// <summary>Reads a batch (<see cref="BatchScoreRequest"/>). Returns null with <paramref name="tooMany"/> set once the batch exceeds <paramref name="maxBatchSize"/>.</summary>
    public static List<Applicant>? ReadBatch(ReadOnlySequence<byte> body, int maxBatchSize, ValidationErrors errors, out bool tooMany)
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

            List<Applicant>? applicants = null;
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
    private static Applicant? ReadApplicant(ref Utf8JsonReader reader, string prefix, ValidationErrors errors)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            errors.Add(prefix.Length == 0 ? ValidationErrors.Body : prefix.TrimEnd('.'),
                "must be a JSON object with the 20 applicant attributes");
            reader.Skip();
            return null;
        }

        var categories = new string?[Rules.Length];
        Span<int> numbers = stackalloc int[Rules.Length];
        Span<bool> given = stackalloc bool[Rules.Length];
        var valid = true;
        var next = 0;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FindField(ref reader, next);
            if (field < 0)
            {
                errors.Add(EchoName(ref reader, prefix), "is not a known attribute; unknown fields are rejected");
                reader.Read();
                reader.Skip();
                valid = false;
                continue;
            }

            next = field + 1;
            var rule = Rules[field];
            reader.Read();
            if (given[field])
            {
                errors.Add(prefix + rule.Name, "is given more than once");
                reader.Skip();
                valid = false;
                continue;
            }

            given[field] = true;
            var problem = rule.IsCategorical
                ? ReadCategory(ref reader, rule, out categories[field])
                : ReadNumber(ref reader, rule, out numbers[field]);
            if (problem is not null)
            {
                errors.Add(prefix + rule.Name, problem);
                reader.Skip();
                valid = false;
            }
        }

        for (var i = 0; i < Rules.Length; i++)
        {
            if (!given[i])
            {
                errors.Add(prefix + Rules[i].Name, $"is required; {Rules[i].Rule}");
                valid = false;
            }
        }

        if (!valid)
        {
            return null;
        }

        // Positions follow FeatureSchema.All (UCI attribute order).
        return new Applicant
        {
            CheckingAccount = categories[0]!,
            DurationMonths = numbers[1],
            CreditHistory = categories[2]!,
            Purpose = categories[3]!,
            CreditAmount = numbers[4],
            Savings = categories[5]!,
            EmploymentSince = categories[6]!,
            InstallmentRate = numbers[7],
            PersonalStatusSex = categories[8]!,
            OtherDebtors = categories[9]!,
            ResidenceSince = numbers[10],
            Property = categories[11]!,
            Age = numbers[12],
            OtherInstallmentPlans = categories[13]!,
            Housing = categories[14]!,
            ExistingCredits = numbers[15],
            Job = categories[16]!,
            Dependents = numbers[17],
            Telephone = categories[18]!,
            ForeignWorker = categories[19]!,
        };
    }

    private static string? ReadCategory(ref Utf8JsonReader reader, FieldRule rule, out string? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return $"{rule.Rule} (got {Describe(reader.TokenType)})";
        }

        for (var i = 0; i < rule.ValuesUtf8.Length; i++)
        {
            if (reader.ValueTextEquals(rule.ValuesUtf8[i]))
            {
                value = rule.Values[i];
                return null;
            }
        }

        return $"{rule.Rule} (got an unknown value)";
    }

    private static string? ReadNumber(ref Utf8JsonReader reader, FieldRule rule, out int value)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.Number)
        {
            return $"{rule.Rule} (got {Describe(reader.TokenType)})";
        }

        if (!reader.TryGetInt32(out value))
        {
            // 6.0 and 6e0 are whole numbers too; 6.5, 1e400 and 99999999999 are not acceptable integers.
            if (!reader.TryGetDouble(out var d) || !double.IsFinite(d) || d != Math.Floor(d))
            {
                return $"{rule.Rule} (got a number that is not a whole number)";
            }

            if (d < rule.Min || d > rule.Max)
            {
                return $"{rule.Rule} (got a number out of range)";
            }

            value = (int)d;
        }

        return value < rule.Min || value > rule.Max ? $"{rule.Rule} (got a number out of range)" : null;
    }

    /// <summary>Finds the attribute a property names, trying <paramref name="expected"/> first: clients usually send schema order.</summary>
    private static int FindField(ref Utf8JsonReader reader, int expected)
    {
        for (var n = 0; n < Rules.Length; n++)
        {
            var i = (expected + n) % Rules.Length;
            if (reader.ValueTextEquals(Rules[i].NameUtf8))
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

    private sealed class FieldRule
    {
        public FieldRule(Feature feature)
        {
            Name = feature.Name;
            NameUtf8 = Encoding.UTF8.GetBytes(feature.Name);
            IsCategorical = feature.IsCategorical;
            Min = feature.Min;
            Max = feature.Max;
            Values = [.. feature.AllowedValues];
            ValuesUtf8 = [.. Values.Select(Encoding.UTF8.GetBytes)];
            Rule = IsCategorical
                ? $"must be one of: {string.Join(", ", Values)}"
                : $"must be an integer between {Min} and {Max}";
        }

        public string Name { get; }

        public byte[] NameUtf8 { get; }

        public bool IsCategorical { get; }

        public int Min { get; }

        public int Max { get; }

        public string[] Values { get; }

        public byte[][] ValuesUtf8 { get; }

        /// <summary>The rule in words, as clients read it in a 400 response.</summary>
        public string Rule { get; }
    }
}
