namespace CallCenter.Telephony.Screening;

/// <summary>
/// Character tables generated from OpenCC (T→S) and Unihan kMandarin (pinyin), loaded once. Pinyin keys are
/// toneless and folded by the usual recogniser confusions (z/zh, c/ch, s/sh, n/l, f/h, an/ang, en/eng, in/ing),
/// so homophones and near-homophones share one key.
/// </summary>
public sealed class ChineseTables
{
    private readonly char[] _t2s = new char[char.MaxValue + 1];
    private readonly ushort[] _pinyin = new ushort[char.MaxValue + 1];
    private readonly Dictionary<string, ushort> _syllableIds = new(StringComparer.Ordinal);

    public ChineseTables()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            _t2s[c] = (char)c;
        }

        foreach (var line in ScreeningData.TableLines("t2s.txt"))
        {
            // "T S": one BMP character each (the generator keeps only those).
            if (line.Length == 3 && line[1] == ' ')
            {
                _t2s[line[0]] = line[2];
            }
        }

        foreach (var line in ScreeningData.TableLines("pinyin.txt"))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0)
            {
                continue;
            }

            var id = SyllableId(line[..space]);
            foreach (var ch in line.AsSpan(space + 1))
            {
                if (!char.IsSurrogate(ch))
                {
                    _pinyin[ch] = id;
                }
            }
        }
    }

    public int SyllableCount => _syllableIds.Count + 1;

    public char ToSimplified(char c) => _t2s[c];

    /// <summary>Folded syllable id of a Han character, 0 when it has no reading.</summary>
    public ushort PinyinKey(char c) => _pinyin[c];

    /// <summary>Id of a toneless syllable such as "zhong" after folding; new syllables get new ids.</summary>
    public ushort SyllableId(string syllable)
    {
        var folded = Fold(syllable.ToLowerInvariant());
        lock (_syllableIds)
        {
            if (!_syllableIds.TryGetValue(folded, out var id))
            {
                id = (ushort)(_syllableIds.Count + 1);
                _syllableIds[folded] = id;
            }

            return id;
        }
    }

    internal static string Fold(string s)
    {
        if (s.Length > 2 && s[1] == 'h' && s[0] is 'z' or 'c' or 's')
        {
            s = s[0] + s[2..];
        }

        if (s.Length > 0 && s[0] == 'l')
        {
            s = "n" + s[1..];
        }
        else if (s.Length > 0 && s[0] == 'f')
        {
            s = "h" + s[1..];
        }

        if (s.EndsWith("ng", StringComparison.Ordinal) && !s.EndsWith("ong", StringComparison.Ordinal))
        {
            s = s[..^1];
        }

        return s;
    }
}
