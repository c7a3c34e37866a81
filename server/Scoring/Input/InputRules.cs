using System.Text;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;

namespace CreditRisk.Server.Scoring.Input;

/// <summary>
/// The rules a request's values must follow, compiled once from the served model's data set spec: the one definition
/// the JSON, CSV and tensor readers, the OpenAPI examples and the page (GET /api/v1/model/rules) all use. A rule says
/// whether the attribute is required or may be missing, which cell tokens mean "missing" (the spec's
/// <c>source.missingValues</c>, as the trainer reads them), the range of a number, the values of a category and their
/// alias codes, and the rule in words.
/// </summary>
public sealed class InputRules
{
    public InputRules(CreditModel model)
        : this(model.Spec)
    {
    }

    public InputRules(DatasetSpec spec)
    {
        // Cells are trimmed before they are compared (the trainer's rule); an empty cell is always missing in a request.
        MissingTokens = [.. spec.Source.MissingValues.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal)];
        Fields = [.. spec.Features.Select(f => new InputRule(f, spec.Source, MissingTokens))];
        Required = Fields.Count(f => f.Required);
    }

    /// <summary>Every attribute of the spec, in spec order: the positions of <see cref="ApplicantRow"/>.</summary>
    public IReadOnlyList<InputRule> Fields { get; }

    /// <summary>The cell texts besides the empty cell that mean "no value" (the spec's <c>source.missingValues</c>).</summary>
    public IReadOnlyList<string> MissingTokens { get; }

    /// <summary>How many attributes a request must give.</summary>
    public int Required { get; }

    /// <summary>The rule of a whole JSON applicant.</summary>
    public string ObjectRule => $"must be a JSON object with the applicant's attributes ({Required} required)";
}

/// <summary>One attribute's rule (see <see cref="InputRules"/>).</summary>
public sealed class InputRule
{
    private readonly SourceSpec _source;

    public InputRule(FeatureSpec feature, SourceSpec source, IReadOnlyList<string> missingTokens)
    {
        _source = source;
        Feature = feature;
        Name = feature.Name;
        NameUtf8 = Encoding.UTF8.GetBytes(feature.Name);
        // The date (role date) is carried through like an id: optional, echoed, never scored; its text must be a date.
        IsId = feature.IsCarried;
        IsDate = feature.Role == FeatureRole.Date;
        IsCategory = feature.Kind == FeatureKind.Category;
        IsInteger = feature.Kind == FeatureKind.Integer;
        Required = feature.Role == FeatureRole.Feature && !feature.MayBeMissing;
        // The spec's own instances: a parsed applicant holds references, not copies.
        Values = [.. feature.Values.Select(v => v.Value)];
        ValuesUtf8 = [.. Values.Select(Encoding.UTF8.GetBytes)];
        var values = IsDate ? DateValue.Rule
            : IsId
            ? (IsCategory ? "must be a string" : feature.NumberRule())
            : IsCategory ? $"must be one of: {string.Join(", ", Values)}" : feature.NumberRule();
        var codes = IsCategory && !IsId
            ? $"must be one of: {string.Join(", ", feature.Values.Select(v => v.Aliases.Count > 0 ? $"{v.Value} ({string.Join("/", v.Aliases)})" : v.Value))}"
            : values;
        var optionalInput = !Required && !IsId && feature.Role == FeatureRole.Feature;
        Words = values;
        Text = optionalInput ? values + ", or null when unknown" : values;
        var missingCell = string.Join(" or ", missingTokens.Prepend("empty"));
        CellText = optionalInput ? $"{codes}, or {missingCell} when unknown" : codes;
    }

    public FeatureSpec Feature { get; }

    public string Name { get; }

    public byte[] NameUtf8 { get; }

    public bool IsId { get; }

    /// <summary>The application date: an id whose text must also be a date (<see cref="DateValue"/>).</summary>
    public bool IsDate { get; }

    public bool IsCategory { get; }

    public bool IsInteger { get; }

    /// <summary>Model inputs that may not be missing; everything else may be absent (= missing) or null.</summary>
    public bool Required { get; }

    public bool MayBeMissing => !Required;

    /// <summary>The category's values, the spec's own string instances.</summary>
    public string[] Values { get; }

    public byte[][] ValuesUtf8 { get; }

    /// <summary>The rule in words, without what stands for a missing value: "must be a whole number from 1 to 120".</summary>
    public string Words { get; }

    /// <summary>The rule in words for JSON and tensors (values by name; null is missing), as a 400 states it.</summary>
    public string Text { get; }

    /// <summary>The rule in words for a CSV cell (values or their codes; an empty cell or a missing token is missing).</summary>
    public string CellText { get; }

    /// <summary>Whether a CSV cell (already trimmed) means "no value": empty, or one of the spec's missing tokens as the trainer reads them.</summary>
    public bool IsMissingCell(ReadOnlySpan<char> cell) => cell.IsEmpty || _source.IsMissing(cell);

    /// <summary>A category value by name (JSON, tensors): the spec's instance, or null when it is not listed.</summary>
    public string? Value(string? text)
    {
        foreach (var v in Values)
        {
            if (v == text)
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>A category cell (CSV): the value or one of its alias codes (e.g. UCI's "A11"), as the spec's instance; null when not listed.</summary>
    public string? Cell(string text) => Feature.Resolve(text);

    /// <summary>What is wrong with a finite number, or null: whole where the spec says integer (<paramref name="whole"/>: as written), within its range.</summary>
    public string? NumberProblem(double value, bool whole = true) =>
        IsInteger && (value != Math.Floor(value) || !whole) ? "(got a number that is not a whole number)"
        : !Feature.Accepts(value) ? "(got a number out of range)"
        : null;

    /// <summary>What a required value that is missing breaks.</summary>
    public string RequiredText => $"is required; {Text}";
}
