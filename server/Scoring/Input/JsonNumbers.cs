namespace CreditRisk.Server.Scoring.Input;

/// <summary>JSON number literals as the rules read them: 6.0 and 6e0 are whole numbers; 1e-400 is not, though it rounds to the double 0.</summary>
public static class JsonNumbers
{
    /// <summary>Whether a JSON number literal (ASCII, already validated by the reader) is exactly a whole number.</summary>
    public static bool IsWholeLiteral(ReadOnlySpan<byte> literal)
    {
        var e = literal.IndexOfAny((byte)'e', (byte)'E');
        var mantissa = e < 0 ? literal : literal[..e];
        long exponent = 0;
        if (e >= 0 && !long.TryParse(literal[(e + 1)..], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out exponent))
        {
            return false;
        }

        var point = mantissa.IndexOf((byte)'.');
        var fractionDigits = point < 0 ? 0 : mantissa.Length - point - 1;

        // Digits after the decimal point once the exponent is applied; each of them must be 0.
        var scale = fractionDigits - exponent;
        var trailingZeros = 0L;
        var text = mantissa.TrimStart((byte)'-');
        for (var i = text.Length - 1; i >= 0 && trailingZeros < scale; i--)
        {
            if (text[i] == (byte)'.')
            {
                continue;
            }

            if (text[i] != (byte)'0')
            {
                break;
            }

            trailingZeros++;
        }

        return text.IndexOfAnyExcept((byte)'0', (byte)'.') < 0 || trailingZeros >= scale;
    }
}
