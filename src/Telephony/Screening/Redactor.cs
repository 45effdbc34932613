using System.Text;

namespace CallCenter.Telephony.Screening;

/// <summary>Which entities are masked before transcripts are stored or pushed (reliability.md §4).</summary>
public sealed class RedactionOptions
{
    public bool Enabled { get; set; } = true;

    public bool BankCards { get; set; } = true;

    public bool IdNumbers { get; set; } = true;

    public bool MobileNumbers { get; set; } = true;

    public bool SecurityCodes { get; set; } = true;

    public bool SmsCodes { get; set; } = true;
}

public sealed record Redaction(string Entity, int Start, int Length);

public sealed record RedactionResult(string Text, IReadOnlyList<Redaction> Redactions);

/// <summary>
/// Masks bank cards (Luhn), ID numbers (ISO 7064 MOD 11-2), mobile numbers other than the caller's, and CVV / SMS
/// codes near their cue words, whether spoken in digits or Chinese numerals (六二二二…, 幺 = 1, 两 = 2).
/// </summary>
public sealed class Redactor(Lexicon lexicon, RedactionOptions options)
{
    private readonly string[] _cvvCues = lexicon.Redaction.CvvCues.Select(c => c.ToLowerInvariant()).ToArray();
    private readonly string[] _codeCues = lexicon.Redaction.CodeCues.Select(c => c.ToLowerInvariant()).ToArray();
    private readonly int _window = lexicon.Redaction.CueWindow;

    public RedactionResult Redact(string text, string? callerNumber = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!options.Enabled || text.Length == 0)
        {
            return new RedactionResult(text, []);
        }

        var caller = callerNumber is null ? null : new string(callerNumber.Where(char.IsAsciiDigit).ToArray());
        var redactions = new List<(Redaction Where, string Replacement)>();
        foreach (var (start, end, digits) in DigitRuns(text))
        {
            if (Classify(text, start, digits, caller) is { } found)
            {
                redactions.Add((new Redaction(found.Entity, start, end - start), found.Replacement));
            }
        }

        if (redactions.Count == 0)
        {
            return new RedactionResult(text, []);
        }

        var sb = new StringBuilder(text.Length);
        var at = 0;
        foreach (var (where, replacement) in redactions)
        {
            sb.Append(text, at, where.Start - at).Append(replacement);
            at = where.Start + where.Length;
        }

        sb.Append(text, at, text.Length - at);
        return new RedactionResult(sb.ToString(), redactions.Select(r => r.Where).ToList());
    }

    private (string Entity, string Replacement)? Classify(string text, int start, string digits, string? caller)
    {
        var n = digits.Length;
        if (options.IdNumbers && n == 18 && IsIdNumber(digits))
        {
            return ("id", "[ID]");
        }

        if (options.BankCards && n is >= 13 and <= 19 && !digits.Contains('X', StringComparison.Ordinal) && Luhn(digits))
        {
            return ("card", "[CARD]");
        }

        var mobile = n == 13 && digits.StartsWith("86", StringComparison.Ordinal) ? digits[2..] : digits;
        if (options.MobileNumbers && mobile.Length == 11 && mobile[0] == '1' && mobile[1] is >= '3' and <= '9')
        {
            return caller is not null && caller.EndsWith(mobile, StringComparison.Ordinal) ? null : ("phone", $"[PHONE…{mobile[^4..]}]");
        }

        if (options.SecurityCodes && n is 3 or 4 && CueBefore(text, start, _cvvCues))
        {
            return ("cvv", "[CVV]");
        }

        if (options.SmsCodes && n is >= 4 and <= 6 && CueBefore(text, start, _codeCues))
        {
            return ("code", "[CODE]");
        }

        return null;
    }

    private bool CueBefore(string text, int start, string[] cues)
    {
        var from = Math.Max(0, start - _window - 6);
        var before = text[from..start].ToLowerInvariant();
        return cues.Any(c => before.Contains(c, StringComparison.Ordinal) && before.Length - before.LastIndexOf(c, StringComparison.Ordinal) - c.Length <= _window);
    }

    /// <summary>Runs of spoken digits, allowing spaces and hyphens between them; an ID's final X counts.</summary>
    private static IEnumerable<(int Start, int End, string Digits)> DigitRuns(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (ChineseNumerals.DigitValue(text[i]) < 0)
            {
                i++;
                continue;
            }

            var start = i;
            var end = i;
            var digits = new StringBuilder();
            while (i < text.Length)
            {
                var d = ChineseNumerals.DigitValue(text[i]);
                if (d >= 0)
                {
                    digits.Append((char)('0' + d));
                    end = ++i;
                }
                else if (text[i] is 'X' or 'x' && digits.Length == 17)
                {
                    digits.Append('X');
                    end = ++i;
                    break;
                }
                else if (text[i] is ' ' or '-' or '\u3000' && i + 1 < text.Length && ChineseNumerals.DigitValue(text[i + 1]) >= 0)
                {
                    i++;
                }
                else
                {
                    break;
                }
            }

            if (digits.Length >= 3)
            {
                yield return (start, end, digits.ToString());
            }
        }
    }

    internal static bool Luhn(string digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }

    internal static bool IsIdNumber(string id)
    {
        // GB 11643: weights 2^(17-i) mod 11, check character from the ISO 7064 MOD 11-2 table.
        ReadOnlySpan<int> weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const string checks = "10X98765432";
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(id[i]))
            {
                return false;
            }

            sum += (id[i] - '0') * weights[i];
        }

        return checks[sum % 11] == char.ToUpperInvariant(id[17]);
    }
}
