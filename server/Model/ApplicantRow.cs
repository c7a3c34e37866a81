using System.Text.Json;

namespace CreditRisk.Server.Model;

/// <summary>
/// One applicant as the model sees it: a value per attribute of the spec, by spec position. Category values are the
/// spec's own string instances (null = missing); numbers are floats, the ONNX input type (NaN = missing). Protected
/// attributes are held for completeness but never fed; ids travel in <see cref="Ids"/> and are echoed in results.
/// </summary>
public sealed class ApplicantRow
{
    public ApplicantRow(int attributes)
    {
        Categories = new string?[attributes];
        Numbers = new float[attributes];
        Numbers.AsSpan().Fill(float.NaN);
    }

    public string?[] Categories { get; }

    public float[] Numbers { get; }

    /// <summary>The id fields given with the applicant, as sent; null when none were.</summary>
    public Dictionary<string, JsonElement>? Ids { get; set; }

    /// <summary>The client's own id for the application (<c>applicationId</c>), recorded with the decision and echoed; null when not sent.</summary>
    public string? ApplicationId { get; set; }
}

/// <summary>
/// One row fed to the model: an applicant, optionally with one attribute (by spec position) taken from the model's
/// reference applicant instead. Reason codes are measured with such rows.
/// </summary>
public readonly record struct ModelRow(ApplicantRow Applicant, int SwappedFeature = ModelRow.NoSwap)
{
    public const int NoSwap = -1;
}
