namespace CreditRisk.Trainer.Data;

/// <summary>
/// <c>init</c>'s guess at protected characteristics: a column whose heading or values look like age, sex, marital
/// status, nationality, race or religion (prohibited bases under ECOA / Regulation B, 12 CFR 1002.2(z) and 1002.6;
/// grounds of Article 21 of the EU Charter of Fundamental Rights) is drafted as <c>protected</c>, never a model input;
/// a location column (postcode, ZIP, state, county, city) is named a likely proxy. Headings are read word by word, so
/// "mortgage" or "percentage" is not an age and "statement" not a state. A draft: the lender checks it
/// (docs/dataset-spec.md, "Protected attributes").
/// </summary>
public static class ProtectedGuess
{
    private static readonly (string Characteristic, string[][] Headings, string[] Values)[] Characteristics =
    [
        ("age", [["age"], ["age", "years"], ["age", "in", "years"], ["applicant", "age"], ["borrower", "age"], ["customer", "age"], ["client", "age"],
            ["dob"], ["birth"], ["birthdate"], ["birthday"], ["date", "of", "birth"], ["year", "of", "birth"], ["birth", "year"], ["birth", "date"]], []),
        ("sex", [["sex"], ["gender"]], ["male", "female", "man", "woman", "non-binary", "nonbinary"]),
        ("marital status", [["marital"], ["married"], ["marital", "status"], ["civil", "status"], ["personal", "status"]], ["married", "single", "divorced", "widowed", "separated"]),
        ("nationality", [["nationality"], ["citizenship"], ["citizen"], ["national", "origin"], ["country", "of", "birth"], ["birth", "country"], ["foreign"], ["foreigner"], ["foreign", "worker"]], []),
        ("race or ethnicity", [["race"], ["ethnicity"], ["ethnic"], ["ethnic", "origin"]], ["white", "black", "asian", "hispanic", "latino", "caucasian", "african american"]),
        ("religion", [["religion"], ["religious"], ["faith"], ["denomination"]], ["christian", "muslim", "jewish", "hindu", "buddhist", "sikh", "catholic", "protestant", "atheist"]),
    ];

    /// <summary>Words that make a heading a sex / marital / … column when they appear anywhere in it (e.g. <c>personal_status_sex</c>).</summary>
    private static readonly (string Characteristic, string Word)[] AnyWord =
        [("sex", "sex"), ("sex", "gender"), ("marital status", "marital"), ("nationality", "nationality"), ("nationality", "citizenship"),
         ("race or ethnicity", "race"), ("race or ethnicity", "ethnicity"), ("religion", "religion")];

    private static readonly string[] ProxyWords = ["zip", "zipcode", "postcode", "postal", "state", "county", "city", "neighbourhood", "neighborhood"];

    public const string ProxyCharacteristic = "race and national origin (where people live correlates with both: redlining)";

    /// <summary>The protected characteristic a column looks like (from its heading, or from two or more of its values), or null.</summary>
    public static string? Characteristic(string heading, IReadOnlyCollection<string> values)
    {
        var words = Words(heading);
        foreach (var (characteristic, headings, _) in Characteristics)
        {
            if (headings.Any(h => h.SequenceEqual(words)))
            {
                return characteristic;
            }
        }

        foreach (var (characteristic, word) in AnyWord)
        {
            if (words.Contains(word))
            {
                return characteristic;
            }
        }

        // Values: two or more of a characteristic's typical values among a category's (one could be a coincidence).
        var lower = values.Select(v => v.Trim().ToLowerInvariant()).ToHashSet();
        foreach (var (characteristic, _, typical) in Characteristics)
        {
            if (typical.Count(lower.Contains) >= 2)
            {
                return characteristic;
            }
        }

        return null;
    }

    /// <summary>What a location column is a likely proxy for, or null.</summary>
    public static string? ProxyOf(string heading) => Words(heading).Any(w => ProxyWords.Contains(w)) ? ProxyCharacteristic : null;

    /// <summary>The comment init writes into a flagged attribute's description.</summary>
    public static string Comment(string characteristic) =>
        $"Drafted as protected by init: looks like {characteristic}, a prohibited basis (ECOA / Regulation B, 12 CFR 1002.6; EU Charter Art. 21). " +
        "Never a model input; read for the fairness report and monitoring only. Check it: see docs/dataset-spec.md, Protected attributes.";

    /// <summary>The heading's words, lower case: camelCase humps, and runs of letters between spaces, <c>_</c>, <c>-</c> and digits.</summary>
    public static string[] Words(string heading)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        void Flush()
        {
            if (word.Length > 0)
            {
                words.Add(word.ToString().ToLowerInvariant());
                word.Clear();
            }
        }

        for (var i = 0; i < heading.Length; i++)
        {
            var ch = heading[i];
            if (!char.IsLetter(ch))
            {
                Flush();
                continue;
            }

            // A hump: lower then upper (maritalStatus), or the last capital of a run before a lower (DOBYear → DOB, Year).
            if (char.IsUpper(ch) && word.Length > 0 && (char.IsLower(heading[i - 1]) || i + 1 < heading.Length && char.IsLower(heading[i + 1])))
            {
                Flush();
            }

            word.Append(ch);
        }

        Flush();
        return [.. words];
    }
}
