namespace CallCenter.Callbacks.Execution;

public enum DestinationVerdict
{
    Allowed,
    Malformed,
    International,
    Premium,
    ShortCode,
    NotMainland,
}

/// <summary>
/// Toll-fraud defence (reliability.md §1): callbacks dial mainland mobile and fixed-line numbers only, never
/// international, premium/service prefixes or short codes unless configured. Checked at dial time.
/// </summary>
public static class DestinationRules
{
    /// <summary>Digits only, with +86 / 0086 / 86-mobile prefixes removed; null when the text is not a number.</summary>
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw) || raw.Length > 32)
        {
            return null;
        }

        var plus = raw.TrimStart().StartsWith('+');
        Span<char> digits = stackalloc char[32];
        var n = 0;
        foreach (var ch in raw)
        {
            if (char.IsAsciiDigit(ch))
            {
                digits[n++] = ch;
            }
            else if (ch is not (' ' or '-' or '(' or ')' or '+'))
            {
                return null;
            }
        }

        var s = new string(digits[..n]);
        if (plus)
        {
            return s.StartsWith("86", StringComparison.Ordinal) ? s[2..] : "+" + s;
        }

        if (s.StartsWith("0086", StringComparison.Ordinal))
        {
            return s[4..];
        }

        return s.Length == 13 && s.StartsWith("861", StringComparison.Ordinal) ? s[2..] : s;
    }

    public static DestinationVerdict Check(string? raw, CallbacksOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var n = Normalize(raw);
        if (n is null || n.Length < 3)
        {
            return DestinationVerdict.Malformed;
        }

        // "+…" after normalisation, or an international access code "00…", is a foreign number.
        if (n[0] == '+' || n.StartsWith("00", StringComparison.Ordinal))
        {
            return options.AllowInternational ? DestinationVerdict.Allowed : DestinationVerdict.International;
        }

        foreach (var prefix in options.PremiumPrefixes)
        {
            if (n.StartsWith(prefix, StringComparison.Ordinal))
            {
                return options.AllowPremium ? DestinationVerdict.Allowed : DestinationVerdict.Premium;
            }
        }

        if (IsMobile(n) || IsFixedLine(n))
        {
            return DestinationVerdict.Allowed;
        }

        return n.Length < 7 || (n[0] == '1' && n.Length < 11) ? DestinationVerdict.ShortCode : DestinationVerdict.NotMainland;
    }

    // 1[3-9] + 9 digits.
    private static bool IsMobile(string n) => n.Length == 11 && n[0] == '1' && n[1] is >= '3' and <= '9' && n.All(char.IsAsciiDigit);

    // Area code 0[1-9]x(x) + 7–8 digit subscriber number: 10–12 digits in all.
    private static bool IsFixedLine(string n) => n.Length is >= 10 and <= 12 && n[0] == '0' && n[1] != '0' && n.All(char.IsAsciiDigit);
}
