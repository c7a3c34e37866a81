using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Export;

/// <summary>
/// The monitoring baseline of the card (issue 17): the training distribution of every attribute but ids (protected
/// ones too, so the server can show group figures) and of the PD, with the bad rate per PD band.
/// </summary>
public static class Baseline
{
    /// <summary>
    /// PDs and bands from the shipped model's selection-CV out-of-fold PDs (<see cref="CandidateResult.OutOfFold"/> of
    /// the chosen ensemble, recalibrated when the model is: the PDs its threshold was chosen on and the report's
    /// "selection CV, shipped model" calibration), pooled over the repeats. Each repeat scores every row once, so the
    /// rows are counted once per repeat: the attribute shares are those of the data, the PD shares and band bad rates
    /// those of every out-of-fold PD. In-sample PDs of the refitted model would look sharper than live ones.
    /// </summary>
    public static MonitoringBaseline Fit(DatasetSpec spec, IReadOnlyList<CreditRecord> rows, float[][] outOfFold, IReadOnlyList<bool> isBad, double threshold)
    {
        var attributes = spec.Features.Where(f => !f.IsCarried).ToArray();
        var (pd, bad) = CandidateResult.Pool(outOfFold, isBad);
        // One column at a time, repeated once per CV repeat like the PDs: the values a request would carry
        // (RequestValues), without a JSON applicant per row, which cost about 5 KB a row (issue 31).
        var repeats = outOfFold.Length;
        IReadOnlyList<T> Column<T>(FeatureSpec f, Func<CreditRecord, int, T> value)
        {
            var i = spec.IndexOf(f);
            var column = new T[rows.Count * repeats];
            for (var r = 0; r < rows.Count; r++)
            {
                column[r] = value(rows[r], i);
            }

            for (var k = 1; k < repeats; k++)
            {
                Array.Copy(column, 0, column, k * rows.Count, rows.Count);
            }

            return column;
        }

        var baseline = MonitoringBaseline.Fit(
            attributes,
            pd.Length,
            f => Column(f, (row, i) => row.Categories[i]),
            f => Column(f, (row, i) => RequestNumber(f, row.Numbers[i])),
            [.. pd.Select(p => (double)p)],
            threshold,
            isBad: bad);
        return baseline with { Rows = rows.Count };
    }

    /// <summary>A number as a request carries it and JSON reads it back (<see cref="ReferenceValues.RequestValues"/>):
    /// an integer as a whole number, a real as the float's shortest round-trip text read as a double.</summary>
    public static double? RequestNumber(FeatureSpec feature, float value) =>
        float.IsNaN(value) ? null
            : feature.Kind == FeatureKind.Integer ? (long)value
            : double.Parse(value.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
}
