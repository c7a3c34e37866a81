using System.Globalization;
using System.Text;
using CreditRisk.Contracts;
using nietras.SeparatedValues;

namespace CreditRisk.Trainer.Data;

/// <summary>
/// <c>trainer init</c>: drafts a spec from a CSV with a header, the first step a lender takes. Every column but the
/// target becomes an attribute: numbers (integer when every value is whole) with the observed range, anything else a
/// category with its observed values, and a column whose every value is distinct an id. Missing-value tokens found
/// make the attribute <c>impute</c>. Names are camelCase identifiers, with <c>column</c> where the CSV's differs.
/// A column that looks like a protected characteristic is drafted <c>protected</c> and a location column is named a
/// likely proxy (<see cref="ProtectedGuess"/>).
/// It is a draft: <see cref="Guesses"/> says what was guessed, for the lender to check before training.
/// </summary>
public sealed record SpecDraft(DatasetSpec Spec, IReadOnlyList<string> Guesses)
{
    private static readonly string[] MissingTokens = ["", "NA", "N/A", "n/a", "na", "null", "NULL", "?", "-"];

    /// <summary>A category with more distinct values than this is taken for free text or an id.</summary>
    private const int MaxCategoryValues = 200;

    private static readonly string SchemaFile = Path.Combine("contracts", "dataset.schema.json");

    public static SpecDraft FromCsv(string csvPath, string target, IReadOnlyList<string> bad, IReadOnlyList<string> good, string specPath, char delimiter = ',')
    {
        if (!File.Exists(csvPath))
        {
            throw new CreditDataException($"{csvPath}: file not found");
        }

        using var reader = Sep.New(delimiter).Reader(o => o with { HasHeader = true, Unescape = true }).FromFile(csvPath);
        var columns = reader.Header.ColNames.ToArray();
        var guesses = new List<string>();
        target = TargetColumn(csvPath, columns, target, guesses);
        var cells = columns.Select(_ => new List<string>()).ToArray();
        foreach (var row in reader)
        {
            for (var c = 0; c < columns.Length; c++)
            {
                cells[c].Add(row[c].ToString().Trim());
            }
        }

        var rows = cells[0].Count;
        var missingSeen = new SortedSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var features = new List<FeatureSpec>();
        for (var c = 0; c < columns.Length; c++)
        {
            if (columns[c] == target)
            {
                continue;
            }

            var present = cells[c].Where(v => !MissingTokens.Contains(v)).ToArray();
            foreach (var token in cells[c].Where(v => MissingTokens.Contains(v)).Distinct())
            {
                missingSeen.Add(token);
            }

            var missing = rows - present.Length;
            var name = UniqueName(Identifier(columns[c]), names);
            var numbers = present.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : (double?)null).ToArray();
            var distinct = present.Distinct(StringComparer.Ordinal).ToArray();
            FeatureSpec feature;
            string what;
            // The first column dated on every row (and not a date of birth, which is age: protected) is the book's date.
            if (missing == 0 && present.Length > 0 && !features.Any(f => f.Role == FeatureRole.Date)
                && present.All(v => DateValue.TryParse(v, out _)) && ProtectedGuess.Characteristic(columns[c], distinct) is null)
            {
                feature = new FeatureSpec { Name = name, Role = FeatureRole.Date };
                var dates = present.Select(v => DateValue.TryParse(v, out var d) ? d : default).ToArray();
                what = $"date from {DateValue.Format(dates.Min())} to {DateValue.Format(dates.Max())} (role date: never a model input; the estimate then also trains on earlier loans and tests on the latest 20 %, out-of-time)";
            }
            else if (present.Length > 0 && numbers.All(n => n is not null))
            {
                var whole = numbers.All(n => n == Math.Floor(n!.Value));
                feature = new FeatureSpec
                {
                    Name = name,
                    Kind = whole ? FeatureKind.Integer : FeatureKind.Real,
                    Min = numbers.Min(),
                    Max = numbers.Max(),
                };
                what = $"{(whole ? "integer" : "real")} from {feature.Min} to {feature.Max} (the observed range: widen it if applicants may fall outside)";
            }
            else if (distinct.Length == rows && rows > MaxCategoryValues || distinct.Length > MaxCategoryValues)
            {
                feature = new FeatureSpec { Name = name, Kind = FeatureKind.Category, Role = FeatureRole.Id };
                what = $"id ({distinct.Length} distinct values of {rows}: not a feature; make it a category if it is one)";
            }
            else
            {
                feature = new FeatureSpec
                {
                    Name = name,
                    Kind = FeatureKind.Category,
                    Values = [.. distinct.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => new CategoryValue { Value = g.Key })],
                };
                what = $"category with {distinct.Length} values ({string.Join(", ", feature.Values.Take(5).Select(v => v.Value))}{(distinct.Length > 5 ? ", …" : "")})";
            }

            feature = feature with
            {
                Column = name == columns[c] ? null : columns[c],
                Missing = missing > 0 && feature.Role != FeatureRole.Id ? MissingPolicy.Impute : MissingPolicy.Refuse,
            };
            var flag = "";
            if (ProtectedGuess.Characteristic(columns[c], distinct) is { } characteristic && feature.Role != FeatureRole.Id)
            {
                feature = feature with { Role = FeatureRole.Protected, Description = ProtectedGuess.Comment(characteristic) };
                flag = $"; PROTECTED: looks like {characteristic}, so it is not a model input (read for the fairness report only; make it a feature only if the law allows)";
            }
            else if (feature.Role == FeatureRole.Feature && ProtectedGuess.ProxyOf(columns[c]) is { } proxy)
            {
                feature = feature with { ProxyFor = proxy };
                flag = $"; a likely proxy for {proxy} (proxyFor): the fairness report names the risk";
            }

            features.Add(feature);
            guesses.Add($"{columns[c]} → {name}: {what}{(missing > 0 ? $"; {missing} missing → {(feature.Role == FeatureRole.Id ? "allowed (id)" : "impute")}" : "")}{flag}");
        }

        var flagged = features.Where(f => f.Role == FeatureRole.Protected).Select(f => f.Name).ToArray();
        var proxies = features.Where(f => f.ProxyFor is not null).Select(f => f.Name).ToArray();
        guesses.Add((flagged.Length > 0
                ? $"protected, not model inputs: {string.Join(", ", flagged)}"
                : "no column looks like a protected characteristic (age, sex, marital status, nationality, race, religion)") +
            (proxies.Length > 0 ? $"; likely proxies (model inputs, named in proxyFor): {string.Join(", ", proxies)}" : "") +
            ". Declare every protected characteristic your data has as role protected: docs/dataset-spec.md, Protected attributes");

        var outcomes = cells[Array.IndexOf(columns, target)].Distinct(StringComparer.Ordinal).ToArray();
        var undeclared = bad.Where(b => !outcomes.Contains(b)).ToArray();
        if (undeclared.Length > 0)
        {
            throw new CreditDataException($"{csvPath}: --bad '{undeclared[0]}' does not occur in column '{target}' (values: {string.Join(", ", outcomes.Take(10))})");
        }

        var goodValues = good.Count > 0 ? good : outcomes.Where(o => !bad.Contains(o)).ToArray();
        guesses.Add($"target {target}: bad = {string.Join(", ", bad)}; good = {string.Join(", ", goodValues)}{(good.Count > 0 ? "" : " (every other value)")}");
        var specDirectory = Path.GetDirectoryName(Path.GetFullPath(specPath))!;
        var spec = new DatasetSpec
        {
            // The editor hint, when run from a checkout (the schema is then beside the working directory).
            Schema = File.Exists(SchemaFile) ? Path.GetRelativePath(specDirectory, Path.GetFullPath(SchemaFile)).Replace('\\', '/') : null,
            Name = DatasetName(Path.GetFileNameWithoutExtension(csvPath)),
            Title = Path.GetFileNameWithoutExtension(csvPath),
            Source = new SourceSpec
            {
                Path = Path.GetRelativePath(specDirectory, Path.GetFullPath(csvPath)).Replace('\\', '/'),
                Delimiter = delimiter.ToString(),
                MissingValues = missingSeen.Count > 0 ? [.. missingSeen] : ["", "NA"],
            },
            Target = new TargetSpec { Column = target, Bad = [.. bad], Good = [.. goodValues] },
            Features = features,
        };
        return new SpecDraft(DatasetSpecSchema.Parse(ToJson(spec), specPath), guesses);
    }

    /// <summary>
    /// The outcome column: <paramref name="target"/> itself, else the one column equal to it ignoring case (said in
    /// <paramref name="guesses"/>); several such columns, or none, is an error naming them.
    /// </summary>
    private static string TargetColumn(string csvPath, string[] columns, string target, List<string> guesses)
    {
        if (columns.Contains(target, StringComparer.Ordinal))
        {
            return target;
        }

        var matches = columns.Where(c => string.Equals(c, target, StringComparison.OrdinalIgnoreCase)).ToArray();
        switch (matches.Length)
        {
            case 1:
                guesses.Add($"--target '{target}' taken as column '{matches[0]}' (the only column of that name ignoring case)");
                return matches[0];
            case > 1:
                throw new CreditDataException($"{csvPath}: --target '{target}' matches several columns ignoring case ({string.Join(", ", matches)}): give one exactly");
            default:
                throw new CreditDataException($"{csvPath}: --target '{target}' is not a column (columns: {string.Join(", ", columns)})");
        }
    }

    /// <summary>The spec as a lender edits it: empty lists (a number's values, a value's aliases) left out.</summary>
    public static string ToJson(DatasetSpec spec)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(spec.ToJson())!;
        foreach (var feature in node["features"]!.AsArray())
        {
            if (feature!["values"] is System.Text.Json.Nodes.JsonArray { Count: 0 })
            {
                feature.AsObject().Remove("values");
            }

            foreach (var value in feature["values"]?.AsArray() ?? [])
            {
                if (value!["aliases"] is System.Text.Json.Nodes.JsonArray { Count: 0 })
                {
                    value.AsObject().Remove("aliases");
                }
            }
        }

        return node.ToJsonString(DatasetSpec.Json) + "\n";
    }

    /// <summary>A camelCase identifier from a column heading: words of letters and digits, the first lower-case.</summary>
    public static string Identifier(string column)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var ch in column)
        {
            if (char.IsAsciiLetterOrDigit(ch))
            {
                word.Append(ch);
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        // A heading in snake_case or with spaces becomes camelCase; one already in camelCase keeps its humps.
        var name = string.Concat(words.Select((w, i) => i == 0
            ? (w.All(char.IsUpper) ? w.ToLowerInvariant() : char.ToLowerInvariant(w[0]) + w[1..])
            : char.ToUpperInvariant(w[0]) + (w.All(char.IsUpper) ? w[1..].ToLowerInvariant() : w[1..])));
        if (name.Length == 0 || !char.IsAsciiLetter(name[0]))
        {
            name = "column" + name;
        }

        name = name.Length > 64 ? name[..64] : name;
        return DatasetSpecRules.IsIdentifier(name) ? name : name + "Value";
    }

    private static string UniqueName(string name, HashSet<string> taken)
    {
        var candidate = name;
        for (var i = 2; !taken.Add(candidate); i++)
        {
            candidate = name + i.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private static string DatasetName(string file)
    {
        var name = new string(file.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-').ToArray()).Trim('-');
        return name.Length > 0 && char.IsAsciiLetter(name[0]) ? name : "data-" + name;
    }
}
