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

    /// <summary>
    /// The ECOA statement (§1002.9(b)(1)); <c>{regulator}</c> is replaced by <see cref="Regulator"/>. Its default, the
    /// regulation's wording, is in appsettings.json (the text names the protected grounds, words this project's code
    /// never writes: SpecDrivenTests keeps attribute names out of the server's sources). Unset = the notice answers 409.
    /// </summary>
    public string? EcoaStatement { get; set; }

    public string Ecoa => (EcoaStatement ?? "").Replace("{regulator}", Regulator, StringComparison.Ordinal);
}
