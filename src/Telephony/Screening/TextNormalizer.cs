using System.Globalization;
using System.Text;

namespace CallCenter.Telephony.Screening;

/// <summary>
/// Text folded for matching (domain.md §1.2): NFKC width folding, lower-case Latin, Traditional→Simplified,
/// punctuation, spaces and fillers removed. Every kept character remembers where it came from, so a match is
/// reported as the user saw it.
/// </summary>
public sealed record NormalizedText(string Original, string Text, int[] OriginalStart, int[] OriginalEnd, bool[] BreakBefore, ushort[] Keys)
{
    /// <summary>Original span of normalised characters [start, end).</summary>
    public (int Start, int Length) ToOriginal(int start, int end) =>
        end <= start ? (OriginalStart.Length > start ? OriginalStart[start] : Original.Length, 0)
                     : (OriginalStart[start], OriginalEnd[end - 1] - OriginalStart[start]);
}

public sealed class TextNormalizer
{
    private readonly ChineseTables _tables;
    private readonly string[] _fillers;
    private readonly (string Word, ushort[] Keys)[] _polyphones;

    public TextNormalizer(ChineseTables tables, Lexicon lexicon)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        _tables = tables;
        // Longest first, so a multi-character filler is removed whole.
        _fillers = lexicon.Fillers.Select(f => Fold(f)).Where(f => f.Length > 0).OrderByDescending(f => f.Length).ToArray();
        _polyphones = lexicon.Polyphones
            .Select(p => (Word: Fold(p.Key), Keys: p.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(tables.SyllableId).ToArray()))
            .Where(p => p.Word.Length == p.Keys.Length)
            .ToArray();
    }

    public ChineseTables Tables => _tables;

    public NormalizedText Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var chars = new List<char>(original.Length);
        var starts = new List<int>(original.Length);
        var ends = new List<int>(original.Length);
        var breaks = new List<bool>(original.Length + 1);
        var pendingBreak = true;
        Span<char> buffer = stackalloc char[8];
        for (var i = 0; i < original.Length; i++)
        {
            var c = original[i];
            if (char.IsHighSurrogate(c) && i + 1 < original.Length && char.IsLowSurrogate(original[i + 1]))
            {
                // Rare ideographs outside the BMP are kept as they are (no table covers them).
                chars.Add(c);
                chars.Add(original[i + 1]);
                starts.Add(i);
                starts.Add(i);
                ends.Add(i + 2);
                ends.Add(i + 2);
                breaks.Add(pendingBreak);
                breaks.Add(false);
                pendingBreak = false;
                i++;
                continue;
            }

            var folded = FoldChar(c, buffer);
            foreach (var f in folded)
            {
                if (IsSeparator(f))
                {
                    pendingBreak = true;
                    continue;
                }

                chars.Add(f);
                starts.Add(i);
                ends.Add(i + 1);
                breaks.Add(pendingBreak);
                pendingBreak = false;
            }
        }

        breaks.Add(true);
        RemoveFillers(chars, starts, ends, breaks);
        var text = new string(chars.ToArray());
        return new NormalizedText(original, text, starts.ToArray(), ends.ToArray(), breaks.ToArray(), Keys(text));
    }

    /// <summary>Folds a rule phrase or core literal exactly as transcripts are folded.</summary>
    public string Fold(string text) => text.Length == 0 ? text : NormalizeWithoutFillers(text);

    private string NormalizeWithoutFillers(string text)
    {
        var sb = new StringBuilder(text.Length);
        Span<char> buffer = stackalloc char[8];
        foreach (var c in text)
        {
            foreach (var f in FoldChar(c, buffer))
            {
                if (!IsSeparator(f))
                {
                    sb.Append(f);
                }
            }
        }

        var s = sb.ToString();
        foreach (var filler in _fillers ?? [])
        {
            s = s.Replace(filler, string.Empty, StringComparison.Ordinal);
        }

        return s;
    }

    private ReadOnlySpan<char> FoldChar(char c, Span<char> buffer)
    {
        if (c is >= '\uFF01' and <= '\uFF5E')
        {
            c = (char)(c - 0xFEE0); // full-width ASCII
        }
        else if (c == '\u3000')
        {
            c = ' ';
        }
        else if (c >= 0x80 && !(c is >= '\u4E00' and <= '\u9FFF') && !char.IsSurrogate(c))
        {
            var nfkc = c.ToString().Normalize(NormalizationForm.FormKC);
            if (nfkc.Length <= buffer.Length)
            {
                for (var k = 0; k < nfkc.Length; k++)
                {
                    buffer[k] = Simple(nfkc[k]);
                }

                return buffer[..nfkc.Length];
            }
        }

        buffer[0] = Simple(c);
        return buffer[..1];
    }

    private char Simple(char c) => c is >= 'A' and <= 'Z' ? (char)(c + 32) : _tables.ToSimplified(c);

    private static bool IsSeparator(char c)
    {
        if (char.IsLetterOrDigit(c))
        {
            return false;
        }

        var cat = CharUnicodeInfo.GetUnicodeCategory(c);
        return cat is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.Surrogate);
    }

    private void RemoveFillers(List<char> chars, List<int> starts, List<int> ends, List<bool> breaks)
    {
        if (_fillers.Length == 0 || chars.Count == 0)
        {
            return;
        }

        var i = 0;
        while (i < chars.Count)
        {
            var removed = false;
            foreach (var filler in _fillers)
            {
                if (i + filler.Length <= chars.Count && Matches(chars, i, filler))
                {
                    // A filler carries its clause break over to the next character.
                    var hadBreak = breaks[i];
                    chars.RemoveRange(i, filler.Length);
                    starts.RemoveRange(i, filler.Length);
                    ends.RemoveRange(i, filler.Length);
                    breaks.RemoveRange(i, filler.Length);
                    breaks[i] = breaks[i] || hadBreak;
                    removed = true;
                    break;
                }
            }

            if (!removed)
            {
                i++;
            }
        }
    }

    private static bool Matches(List<char> chars, int at, string word)
    {
        for (var k = 0; k < word.Length; k++)
        {
            if (chars[at + k] != word[k])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Pinyin keys per normalised character; a non-Han character gets a key of its own above the syllables.</summary>
    public ushort[] Keys(string text)
    {
        var keys = new ushort[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var key = _tables.PinyinKey(text[i]);
            keys[i] = key != 0 ? key : (ushort)(0x8000 | (text[i] & 0x7FFF));
        }

        foreach (var (word, wordKeys) in _polyphones)
        {
            var from = 0;
            while (from < text.Length)
            {
                var at = text.IndexOf(word, from, StringComparison.Ordinal);
                if (at < 0)
                {
                    break;
                }

                wordKeys.CopyTo(keys, at);
                from = at + word.Length;
            }
        }

        return keys;
    }
}
