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
        var applicants = rows.Select(r => ReferenceValues.RequestValues(spec, r, attributes)).ToArray();
        var (pd, bad) = CandidateResult.Pool(outOfFold, isBad);
        var repeated = outOfFold.SelectMany(_ => applicants).ToArray();
        return MonitoringBaseline.Fit(attributes, repeated, [.. pd.Select(p => (double)p)], threshold, isBad: bad) with { Rows = rows.Count };
    }
}
