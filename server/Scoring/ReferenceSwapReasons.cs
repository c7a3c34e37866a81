using CreditRisk.Contracts;
using CreditRisk.Server.Model;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// The reason-code method, in one place: a rejected applicant is scored again with one attribute at a time set to the
/// model's reference value (the most favourable value in training, which the trainer writes into the model card as
/// <c>referenceApplicant</c>); an attribute's impact is how much P(bad) falls with that value, and the largest
/// impacts are the reasons, coded by the spec (<see cref="DatasetSpec.ReasonCode"/>). Model-agnostic: it needs only
/// the ONNX file. The variant rows are <see cref="ModelRow"/>s with <see cref="ModelRow.SwappedFeature"/> set, which
/// <see cref="CreditModel.Predict(ReadOnlySpan{ModelRow}, Span{float})"/> feeds from the reference for that attribute.
/// </summary>
public sealed class ReferenceSwapReasons(CreditModel model, int maxReasons)
{
    private readonly int[] _inputs = model.Inputs;

    // Each input's reference value as people read it, by spec position, computed once: the value a reason was compared with.
    private readonly string?[] _comparedWith = [.. model.Features.Select((f, i) => model.Inputs.Contains(i) ? Readable(f, model.Reference, i) : null)];

    /// <summary>Most variant rows one applicant can need: one per model input.</summary>
    public int MaxVariants => _inputs.Length;

    /// <summary>
    /// Writes the applicant's variants into <paramref name="rows"/> and returns how many. An attribute that already
    /// has the reference value gets none: its impact is zero by definition.
    /// </summary>
    public int AddVariants(ApplicantRow applicant, Span<ModelRow> rows)
    {
        var count = 0;
        foreach (var f in _inputs)
        {
            if (!SameValue(applicant, model.Reference, f))
            {
                rows[count++] = new ModelRow(applicant, f);
            }
        }

        return count;
    }

    /// <summary>The attributes whose reference value lowers P(bad), largest impact first, at most MaxReasons.</summary>
    public Reason[] Rank(double pd, ReadOnlySpan<ModelRow> variants, ReadOnlySpan<float> probabilities)
    {
        var impacts = new List<(int Feature, double Impact, bool Missing)>(variants.Length);
        for (var v = 0; v < variants.Length; v++)
        {
            var impact = pd - probabilities[v];
            if (impact > 0)
            {
                var f = variants[v].SwappedFeature;
                impacts.Add((f, impact, IsMissing(variants[v].Applicant, f)));
            }
        }

        // Largest impact first; ties keep spec order so the same applicant always gets the same reasons.
        return [.. impacts
            .OrderByDescending(x => x.Impact)
            .ThenBy(x => x.Feature)
            .Take(maxReasons)
            .Select(x =>
            {
                var feature = model.Features[x.Feature];
                // A missing value is the reason, not the attribute: "Monthly income not provided", not "Monthly income".
                return new Reason(model.Spec.ReasonCode(feature), feature.Name, x.Missing ? Reason.NotProvided(feature) : feature.ReasonText, x.Impact, _comparedWith[x.Feature]);
            })];
    }

    private bool IsMissing(ApplicantRow applicant, int position) =>
        model.Features[position].IsCategory ? applicant.Categories[position] is null : float.IsNaN(applicant.Numbers[position]);

    /// <summary>A value as people read it: a category's label, a number (at most two decimals) with its unit.</summary>
    public static string Readable(FeatureSpec feature, ApplicantRow row, int position)
    {
        if (feature.IsCategory)
        {
            var value = row.Categories[position];
            return value is null ? "not provided" : feature.Values.FirstOrDefault(v => v.Value == value)?.Text ?? value;
        }

        var number = row.Numbers[position];
        return float.IsNaN(number)
            ? "not provided"
            : number.ToString("#,0.##", System.Globalization.CultureInfo.InvariantCulture) + (feature.Unit is { Length: > 0 } unit ? " " + unit : "");
    }

    private bool SameValue(ApplicantRow applicant, ApplicantRow reference, int position) =>
        model.Features[position].IsCategory
            // The spec's own instances on both sides (or null for missing): reference equality would do, ordinal is as cheap.
            ? string.Equals(applicant.Categories[position], reference.Categories[position], StringComparison.Ordinal)
            // NaN (missing) equals NaN here: both would be imputed to the same value.
            : applicant.Numbers[position].Equals(reference.Numbers[position]);
}
