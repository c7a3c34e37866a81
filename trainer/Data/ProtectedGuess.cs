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
    private sealed record Vocabulary(IReadOnlyList<Ground> Characteristics, IReadOnlyList<string> ProxyWords, string ProxyFor);

    private sealed record Ground(string Name, IReadOnlyList<string[]> Headings, IReadOnlyList<string> AnyWord, IReadOnlyList<string> Values);

    // The words are data (protected-vocabulary.json, embedded): the law's list, not any data set's columns.
    private static readonly Vocabulary Known = Load();

    private static Vocabulary Load()
    {
        using var stream = typeof(ProtectedGuess).Assembly.GetManifestResourceStream("protected-vocabulary.json")
            ?? throw new InvalidOperationException("protected-vocabulary.json is not embedded in the trainer");
        return System.Text.Json.JsonSerializer.Deserialize<Vocabulary>(stream, System.Text.Json.JsonSerializerOptions.Web)!;
    }

    /// <summary>What a location column is named a likely proxy for (<c>proxyFor</c>).</summary>
    public static string ProxyCharacteristic => Known.ProxyFor;

    /// <summary>The protected characteristic a column looks like (from its heading, or from two or more of its values), or null.</summary>
    public static string? Characteristic(string heading, IReadOnlyCollection<string> values)
    {
        var words = Words(heading);
        var lower = values.Select(v => v.Trim().ToLowerInvariant()).ToHashSet();
        return Known.Characteristics.FirstOrDefault(c => c.Headings.Any(h => h.SequenceEqual(words)))?.Name
            ?? Known.Characteristics.FirstOrDefault(c => c.AnyWord.Any(words.Contains))?.Name
            // Values: two or more of a characteristic's typical values among a category's (one could be a coincidence).
            ?? Known.Characteristics.FirstOrDefault(c => c.Values.Count(lower.Contains) >= 2)?.Name;
    }

    /// <summary>What a location column is a likely proxy for, or null.</summary>
    public static string? ProxyOf(string heading) => Words(heading).Any(w => Known.ProxyWords.Contains(w)) ? ProxyCharacteristic : null;

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
