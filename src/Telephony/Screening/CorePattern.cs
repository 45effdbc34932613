using System.Globalization;

namespace CallCenter.Telephony.Screening;

/// <summary>
/// A core pattern compiled to literal segments separated by bounded gaps: <c>一定是.{0,10}错了</c> is
/// ["一定是"] gap 0..10 ["错了"]; groups <c>(a|b)</c> and optional parts <c>x?</c> expand to alternatives.
/// </summary>
public sealed record CorePattern(string Source, IReadOnlyList<CoreSegment> Segments)
{
    private const int MaxAlternatives = 64;

    public bool HasGaps => Segments.Count > 1;

    public int MinLength => Segments.Sum(s => s.Literals.Min(l => l.Length));

    public static CorePattern Parse(string source, Func<string, string> fold)
    {
        ArgumentNullException.ThrowIfNull(fold);
        if (string.IsNullOrWhiteSpace(source))
        {
            throw new FormatException("empty core pattern");
        }

        var segments = new List<CoreSegment>();
        var current = new List<string> { string.Empty };
        var gapMin = 0;
        var gapMax = 0;
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c == '.' && i + 1 < source.Length && source[i + 1] == '{')
            {
                var close = source.IndexOf('}', i);
                if (close < 0)
                {
                    throw new FormatException($"unclosed gap in '{source}'");
                }

                var bounds = source[(i + 2)..close].Split(',');
                if (bounds.Length != 2 || !int.TryParse(bounds[0], CultureInfo.InvariantCulture, out var min)
                    || !int.TryParse(bounds[1], CultureInfo.InvariantCulture, out var max) || min < 0 || max < min || max > 40)
                {
                    throw new FormatException($"gap must be .{{m,n}} with 0 <= m <= n <= 40 in '{source}'");
                }

                Flush(segments, current, gapMin, gapMax, fold, source);
                current = [string.Empty];
                gapMin = min;
                gapMax = max;
                i = close + 1;
                continue;
            }

            List<string> options;
            if (c == '(')
            {
                var close = source.IndexOf(')', i);
                if (close < 0)
                {
                    throw new FormatException($"unclosed group in '{source}'");
                }

                options = [.. source[(i + 1)..close].Split('|')];
                i = close + 1;
            }
            else if (c is ')' or '|' or '?' or '{' or '}' or '[' or ']' or '\\' or '+' or '^' or '$')
            {
                throw new FormatException($"unsupported character '{c}' in core pattern '{source}'");
            }
            else
            {
                options = [c.ToString()];
                i++;
            }

            if (i < source.Length && source[i] == '?')
            {
                options.Add(string.Empty);
                i++;
            }

            current = [.. current.SelectMany(prefix => options.Select(o => prefix + o))];
            if (current.Count > MaxAlternatives)
            {
                throw new FormatException($"core pattern '{source}' expands to more than {MaxAlternatives} alternatives");
            }
        }

        Flush(segments, current, gapMin, gapMax, fold, source);
        return new CorePattern(source, segments);
    }

    private static void Flush(List<CoreSegment> segments, List<string> literals, int gapMin, int gapMax, Func<string, string> fold, string source)
    {
        var folded = literals.Select(fold).ToArray();
        if (folded.All(l => l.Length == 0))
        {
            return; // a leading or trailing gap adds nothing to a substring search
        }

        if (folded.Any(l => l.Length == 0))
        {
            throw new FormatException($"core pattern '{source}' has an optional segment next to a gap; write the alternatives out");
        }

        var first = segments.Count == 0;
        segments.Add(new CoreSegment(folded.Distinct(StringComparer.Ordinal).ToArray(), first ? 0 : gapMin, first ? 0 : gapMax));
    }
}

/// <summary>Literal alternatives of one segment and the gap (in normalised characters) allowed before it.</summary>
public sealed record CoreSegment(IReadOnlyList<string> Literals, int GapMin, int GapMax);
