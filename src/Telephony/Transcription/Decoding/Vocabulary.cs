using System.Text;
using System.Text.RegularExpressions;

namespace CallCenter.Telephony.Transcription.Decoding;

/// <summary>
/// Whisper's byte-level vocabulary with the special tokens whisper.cpp appends (their ids depend on
/// n_vocab: multilingual models shift them by one, large-v3 by one more language).
/// </summary>
public sealed partial class Vocabulary
{
    // Whisper's language list, in token order (yue exists only in 100-language models such as large-v3).
    private static readonly string[] LanguageCodes =
    [
        "en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it", "id", "hi", "fi", "vi",
        "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur", "hr", "bg", "lt", "la", "mi", "ml", "cy", "sk",
        "te", "fa", "lv", "bn", "sr", "az", "sl", "kn", "et", "mk", "br", "eu", "is", "hy", "ne", "mn", "bs", "kk", "sq", "sw",
        "gl", "mr", "pa", "si", "km", "sn", "yo", "so", "af", "oc", "ka", "be", "tg", "sd", "gu", "am", "yi", "lo", "uz", "fo",
        "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl", "mg", "as", "tt", "haw", "ln", "ha", "ba", "jw", "su", "yue",
    ];

    private readonly IReadOnlyList<byte[]> tokens;

    // Token ids ordered by their bytes (ties by id): the prompt encoder's lookup by binary search, in 4 bytes
    // a token where a string dictionary took about 90 (4.4 MB for a multilingual vocabulary).
    private readonly int[] byBytes;

    public Vocabulary(IReadOnlyList<byte[]> stored, int nVocab)
    {
        ArgumentNullException.ThrowIfNull(stored);
        NVocab = nVocab;
        tokens = stored;
        byBytes = new int[stored.Count];
        for (var i = 0; i < byBytes.Length; i++)
        {
            byBytes[i] = i;
        }

        Array.Sort(byBytes, (a, b) => stored[a].AsSpan().SequenceCompareTo(stored[b]) is var c && c != 0 ? c : a.CompareTo(b));

        IsMultilingual = nVocab >= 51865;
        LanguageCount = IsMultilingual ? nVocab - 51765 - 1 : 0;
        var dt = IsMultilingual ? LanguageCount - 98 : 0;
        var shift = IsMultilingual ? 1 : 0;
        Eot = 50256 + shift;
        Sot = 50257 + shift;
        Translate = 50357 + dt;
        Transcribe = 50358 + dt;
        Solm = 50359 + dt;
        Prev = 50360 + dt;
        NoSpeech = 50361 + dt;
        NoTimestamps = 50362 + dt;
        TimestampBegin = 50363 + dt;
        Space = Find(" "u8) is var space and >= 0 ? space : 220;
    }

    public int NVocab { get; }

    public bool IsMultilingual { get; }

    public int LanguageCount { get; }

    public int Eot { get; }

    public int Sot { get; }

    public int Translate { get; }

    public int Transcribe { get; }

    public int Solm { get; }

    public int Prev { get; }

    public int NoSpeech { get; }

    public int NoTimestamps { get; }

    public int TimestampBegin { get; }

    public int Space { get; }

    public int StoredCount => tokens.Count;

    /// <summary>Token id of a language code such as "zh", or -1 when the model does not know it.</summary>
    public int LanguageToken(string code)
    {
        var index = Array.IndexOf(LanguageCodes, code);
        return index < 0 || index >= LanguageCount ? -1 : Sot + 1 + index;
    }

    public string? LanguageCode(int token)
    {
        var index = token - Sot - 1;
        return index >= 0 && index < LanguageCount ? LanguageCodes[index] : null;
    }

    /// <summary>The stored bytes of a text token; empty for special tokens.</summary>
    public ReadOnlySpan<byte> Bytes(int id) => id >= 0 && id < tokens.Count && id < Eot ? tokens[id] : [];

    /// <summary>whisper.cpp's display string: text tokens as UTF-8, special tokens as [_EOT_], [_TT_n] and so on.</summary>
    public string TokenText(int id)
    {
        if (id < Eot && id < tokens.Count)
        {
            return Encoding.UTF8.GetString(tokens[id]);
        }

        if (id == Eot) { return "[_EOT_]"; }
        if (id == Sot) { return "[_SOT_]"; }
        if (id == Translate) { return "[_TRANSLATE_]"; }
        if (id == Transcribe) { return "[_TRANSCRIBE_]"; }
        if (id == Solm) { return "[_SOLM_]"; }
        if (id == Prev) { return "[_PREV_]"; }
        if (id == NoSpeech) { return "[_NOSP_]"; }
        if (id == NoTimestamps) { return "[_NOT_]"; }
        if (id >= TimestampBegin) { return $"[_TT_{id - TimestampBegin}]"; }
        return LanguageCode(id) is { } code ? $"[_LANG_{code}]" : $"[_extra_token_{id}]";
    }

    /// <summary>Concatenated bytes of the text tokens (ids below end-of-text); special tokens add nothing.</summary>
    public byte[] TextBytes(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var buffer = new List<byte>();
        foreach (var id in ids)
        {
            buffer.AddRange(Bytes(id));
        }

        return [.. buffer];
    }

    /// <summary>
    /// Text to tokens the way whisper.cpp does it (GPT-2 pre-tokenisation, then greedy longest match
    /// against the vocabulary); good for initial prompts such as product names.
    /// </summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<int>();
        foreach (Match word in PreTokenizer().Matches(text))
        {
            var bytes = Encoding.UTF8.GetBytes(word.Value);
            var i = 0;
            while (i < bytes.Length)
            {
                var j = bytes.Length;
                var id = -1;
                while (j > i && (id = Find(bytes.AsSpan(i, j - i))) < 0)
                {
                    j--;
                }

                if (j == i)
                {
                    i++; // a byte the vocabulary lacks (cannot happen with a full GPT-2 byte vocabulary)
                    continue;
                }

                result.Add(id);
                i = j;
            }
        }

        return result;
    }

    // The lowest id whose bytes are exactly `bytes`, or -1.
    private int Find(ReadOnlySpan<byte> bytes)
    {
        int lo = 0, hi = byBytes.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (tokens[byBytes[mid]].AsSpan().SequenceCompareTo(bytes) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo < byBytes.Length && tokens[byBytes[lo]].AsSpan().SequenceEqual(bytes) ? byBytes[lo] : -1;
    }

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex PreTokenizer();
}
