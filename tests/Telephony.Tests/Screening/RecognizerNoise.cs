using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>
/// Deterministic model of Mandarin recogniser errors (seeded RNG): one error per variant, chosen among a
/// homophone or near-homophone substitution (same folded pinyin key), a dropped character, a doubled character,
/// or the whole line in Traditional characters.
/// </summary>
internal sealed class RecognizerNoise
{
    private readonly Dictionary<ushort, char[]> _byKey;
    private readonly ChineseTables _tables;
    private readonly Random _random;

    public RecognizerNoise(ChineseTables tables, int seed)
    {
        _tables = tables;
        _random = new Random(seed);
        _byKey = Enumerable.Range(0x4E00, 0x9FA5 - 0x4E00 + 1).Select(c => (char)c)
            .Where(c => tables.PinyinKey(c) != 0)
            .GroupBy(c => tables.PinyinKey(c))
            .ToDictionary(g => g.Key, g => g.ToArray());
    }

    public enum ErrorKind { Homophone, Drop, Double, Traditional }

    public (ErrorKind Kind, string Text) Corrupt(string text)
    {
        var han = Enumerable.Range(0, text.Length).Where(i => text[i] is >= '\u4E00' and <= '\u9FFF').ToArray();
        if (han.Length == 0)
        {
            return (ErrorKind.Traditional, text);
        }

        var kind = (ErrorKind)_random.Next(4);
        var at = han[_random.Next(han.Length)];
        switch (kind)
        {
            case ErrorKind.Homophone:
                var bucket = _byKey[_tables.PinyinKey(text[at])];
                var others = bucket.Where(c => c != text[at]).ToArray();
                return others.Length == 0 ? (kind, text) : (kind, text[..at] + others[_random.Next(others.Length)] + text[(at + 1)..]);
            case ErrorKind.Drop:
                return (kind, text.Remove(at, 1));
            case ErrorKind.Double:
                return (kind, text.Insert(at, text[at].ToString()));
            default:
                return (kind, TraditionalScript.Convert(text));
        }
    }
}
