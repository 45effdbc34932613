using System.Globalization;
using System.Text;

namespace CallCenter.Telephony.Sip;

/// <summary>Small lexical helpers shared by the header parsers (RFC 3261 §25).</summary>
public static class SipText
{
    private const string TokenSymbols = "-.!%*_+`'~";

    public static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || TokenSymbols.Contains(c, StringComparison.Ordinal);

    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits a comma-separated header value, ignoring commas inside quotes and angle brackets.</summary>
    public static List<string> SplitList(string value)
    {
        var parts = new List<string>();
        var inQuotes = false;
        var angle = 0;
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuotes)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
            }
            else if (c == '<')
            {
                angle++;
            }
            else if (c == '>' && angle > 0)
            {
                angle--;
            }
            else if (c == ',' && angle == 0)
            {
                parts.Add(value[start..i].Trim());
                start = i + 1;
            }
        }

        parts.Add(value[start..].Trim());
        return parts;
    }

    /// <summary>Parses ";name=value" parameters; false when a parameter is empty or malformed.</summary>
    public static bool TryParseParams(string s, Dictionary<string, string?> into)
    {
        if (string.IsNullOrWhiteSpace(s))
        {
            return true;
        }

        foreach (var raw in SplitOutsideQuotes(s, ';'))
        {
            var p = raw.Trim();
            if (p.Length == 0)
            {
                return false;
            }

            var eq = p.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? p : p[..eq]).Trim();
            if (!IsToken(name))
            {
                return false;
            }

            string? val = null;
            if (eq >= 0)
            {
                val = p[(eq + 1)..].Trim();
                if (val.Length == 0)
                {
                    return false;
                }
            }

            into[name.ToLowerInvariant()] = val;
        }

        return true;
    }

    public static List<string> SplitOutsideQuotes(string s, char sep)
    {
        var parts = new List<string>();
        var inQuotes = false;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (s[i] == sep && !inQuotes)
            {
                parts.Add(s[start..i]);
                start = i + 1;
            }
        }

        parts.Add(s[start..]);
        return parts;
    }

    /// <summary>Decodes %HH escapes; invalid escapes are kept literally (RFC 4475 esc02).</summary>
    public static string Unescape(string s)
    {
        if (!s.Contains('%', StringComparison.Ordinal))
        {
            return s;
        }

        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '%' && i + 2 < s.Length
                && byte.TryParse(s.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(s[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Keeps the digits (and a leading +) of a number for lookups; null when nothing usable is left.</summary>
    public static string? DigitsOnly(string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            return null;
        }

        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (char.IsAsciiDigit(c))
            {
                sb.Append(c);
            }
            else if (c is not ('-' or '.' or '(' or ')' or ' ' or '+'))
            {
                return null;
            }
        }

        return sb.Length is > 0 and <= 32 ? sb.ToString() : null;
    }

    public static string NewTag() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public static string NewBranch() => "z9hG4bK" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(10));
}
