namespace CreditRisk.Contracts;

/// <summary>
/// The one rule for the free text a request carries (applicationId, id attributes, request ids): no control
/// characters. PostgreSQL's text type refuses a NUL, and one such record used to fail a whole group commit; the
/// others break log lines, CSV files and terminals. Every reader of a request asks here.
/// </summary>
public static class FreeText
{
    public const string Rule = "must not contain control characters (U+0000 to U+001F, U+007F)";

    public static bool HasControlCharacter(ReadOnlySpan<char> text) =>
        text.IndexOfAnyInRange('\u0000', '\u001F') >= 0 || text.Contains('\u007F');
}
