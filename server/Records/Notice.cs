using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Records;

/// <summary>
/// The adverse-action notice of one stored decision (Regulation B §1002.9): the lender, the action taken and when, the
/// principal reasons (at most <see cref="Reason.MaxPerReject"/>, in the spec's words as recorded) and the ECOA statement.
/// Built from the record alone, never a re-score, so it says what was decided. It names no applicant attribute but
/// the reasons, and a reason is never a protected attribute (they are not model inputs).
/// </summary>
public sealed record Notice(string Lender, string? Contact, DateTimeOffset Date, string Reference, IReadOnlyList<string> Reasons, string Ecoa)
{
    /// <summary>The notice of a record whose decision in force is a reject; null otherwise (there is no adverse action).</summary>
    public static Notice? Of(DecisionRecord record, NoticeOptions options)
    {
        if (record.FinalDecision != Decisions.Reject)
        {
            return null;
        }

        var lastReview = record.Reviews is { Count: > 0 } reviews ? reviews[^1] : null;
        // The model's reasons as recorded. An approve a person overrode to a reject has none (approves carry no reasons):
        // the reviewer's own reason is then the principal reason.
        IReadOnlyList<string> reasons = record.Reasons.Count > 0
            ? record.Reasons.Take(Reason.MaxPerReject).Select(r => r.Text).ToArray()
            : lastReview is not null ? [lastReview.Reason] : [];
        return new Notice(options.LenderName!, options.LenderContact, lastReview?.ReviewedAt ?? record.DecidedAt,
            record.ApplicationId ?? record.DecisionId.ToString(), reasons, options.Ecoa);
    }

    private string DateText => Date.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(Lender).Append('\n');
        if (Contact is not null)
        {
            text.Append(Contact).Append('\n');
        }

        text.Append('\n').Append("Notice of action taken, ").Append(DateText).Append('\n')
            .Append("Application: ").Append(Reference).Append("\n\n")
            .Append("We are unable to approve your application for credit.\n\n")
            .Append("Principal reasons for our decision:\n");
        for (var i = 0; i < Reasons.Count; i++)
        {
            text.Append(i + 1).Append(". ").Append(Reasons[i]).Append('\n');
        }

        return text.Append('\n').Append(Ecoa).Append('\n').ToString();
    }

    public string ToHtml()
    {
        var e = HtmlEncoder.Default;
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Notice of action taken</title></head>\n<body>\n<main>\n")
            .Append("<header><p><strong>").Append(e.Encode(Lender)).Append("</strong></p>");
        if (Contact is not null)
        {
            html.Append("<p>").Append(e.Encode(Contact)).Append("</p>");
        }

        html.Append("</header>\n<h1>Notice of action taken</h1>\n")
            .Append("<p>Date: ").Append(e.Encode(DateText)).Append("<br>Application: ").Append(e.Encode(Reference)).Append("</p>\n")
            .Append("<p>We are unable to approve your application for credit.</p>\n")
            .Append("<h2>Principal reasons for our decision</h2>\n<ol>\n");
        foreach (var reason in Reasons)
        {
            html.Append("<li>").Append(e.Encode(reason)).Append("</li>\n");
        }

        return html.Append("</ol>\n<p>").Append(e.Encode(Ecoa)).Append("</p>\n</main>\n</body>\n</html>\n").ToString();
    }
}
