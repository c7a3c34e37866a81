using System.ComponentModel.DataAnnotations;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// When the model refers an applicant to a person instead of deciding (issue 30, docs/oversight.md). Section <c>Refer</c>.
/// A server setting, not a field of the spec: the spec travels inside the ONNX file and the model version is a hash of
/// it, so a lender widening its refer band would otherwise ship a "new model" whose every score is unchanged. Both off by
/// default: a client written for approve and reject gets no third value until the lender turns referral on.
/// </summary>
public sealed class ReferOptions
{
    public const string Section = "Refer";

    /// <summary>
    /// The refer band around the decision boundary, edges included; unset = no band. In money (the card's currency)
    /// for a model with loan-level economics: refer when |expected profit| ≤ Band. In PD otherwise: refer when
    /// |PD − threshold| ≤ Band (<see cref="CreditRisk.Contracts.Decisions.BorderlineBand"/>, 0.01, is the borderline
    /// flag's band in the same unit).
    /// </summary>
    [Range(0, 1e9)]
    public double? Band { get; set; }

    /// <summary>Refer an applicant with a category value no training applicant had (its share in the card's training distribution is 0).</summary>
    public bool UnseenCategories { get; set; }

    /// <summary>Refer an applicant with a numeric input outside the range the training data spanned (the trainer's
    /// <c>trainingRanges</c> in <c>training-summary.json</c> beside the model; a model without them is refused at load).</summary>
    public bool OutsideTrainingRange { get; set; }
}
