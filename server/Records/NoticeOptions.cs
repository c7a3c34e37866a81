namespace CreditRisk.Server.Records;

/// <summary>
/// The lender's part of the adverse-action notice (Regulation B §1002.9, issue 30). Section <c>Notice</c>. Settings,
/// not the spec: they name the lender, not the model, and the spec is part of the model's version.
/// </summary>
public sealed class NoticeOptions
{
    public const string Section = "Notice";

    /// <summary>The creditor's name, at the head of the notice. Unset = the notice endpoint answers 409 naming this setting.</summary>
    public string? LenderName { get; set; }

    /// <summary>The creditor's address and how to reach it, on one line.</summary>
    public string? LenderContact { get; set; }

    /// <summary>The federal agency that administers ECOA compliance for this creditor, with its address.</summary>
    public string Regulator { get; set; } = "Consumer Financial Protection Bureau, 1700 G Street NW, Washington, DC 20552";

    /// <summary>The ECOA statement (§1002.9(b)(1)); <c>{regulator}</c> is replaced by <see cref="Regulator"/>.</summary>
    public string EcoaStatement { get; set; } =
        "The federal Equal Credit Opportunity Act prohibits creditors from discriminating against credit applicants on the basis of race, " +
        "color, religion, national origin, sex, marital status, age (provided the applicant has the capacity to enter into a binding " +
        "contract); because all or part of the applicant's income derives from any public assistance program; or because the applicant " +
        "has in good faith exercised any right under the Consumer Credit Protection Act. The federal agency that administers compliance " +
        "with this law concerning this creditor is the {regulator}.";

    public string Ecoa => EcoaStatement.Replace("{regulator}", Regulator, StringComparison.Ordinal);
}
