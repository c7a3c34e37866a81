using CreditRisk.Trainer.Report;

namespace CreditRisk.Trainer.Selection;

/// <summary>
/// The registered recalibration decision (docs/preregistration.md, issues 15 and 31), the one definition the shipped
/// model and every outer fold of the estimate use: judged on the ensemble's out-of-fold PDs of its own selection CV
/// (each applicant's mean over the repeats), never on the estimate's outer folds, so the estimate cannot change the model.
/// </summary>
public static class RecalibrationRule
{
    /// <summary>Platt fitted on the pooled out-of-fold PDs when the ensemble is miscalibrated by the registered rule; null otherwise.</summary>
    public static Platt? Decide(float[][] outOfFold, IReadOnlyList<bool> isBad)
    {
        if (!CalibrationReport.Of(FittedModel.Mean(outOfFold), isBad).Miscalibrated)
        {
            return null;
        }

        var (pooledPd, pooledBad) = CandidateResult.Pool(outOfFold, isBad);
        return Platt.Fit(pooledPd, pooledBad);
    }
}
