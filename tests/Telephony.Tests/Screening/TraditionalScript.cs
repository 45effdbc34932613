using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>Test helper: writes simplified text in Traditional characters (the inverse of the committed T→S table, first pair wins).</summary>
internal static class TraditionalScript
{
    private static readonly Dictionary<char, char> SimplifiedToTraditional = Build();

    public static string Convert(string simplified) =>
        new(simplified.Select(c => SimplifiedToTraditional.TryGetValue(c, out var t) ? t : c).ToArray());

    public static bool HasTraditional(char simplified) => SimplifiedToTraditional.ContainsKey(simplified);

    public static char ToTraditional(char simplified) => SimplifiedToTraditional.TryGetValue(simplified, out var t) ? t : simplified;

    private static Dictionary<char, char> Build()
    {
        var map = new Dictionary<char, char>();
        foreach (var line in ScreeningData.TableLines("t2s.txt"))
        {
            // Prefer the common Traditional character (CJK Unified block) over extension-A variants.
            if (line.Length == 3 && line[0] is >= '\u4E00' and <= '\u9FFF')
            {
                map.TryAdd(line[2], line[0]);
            }
        }

        return map;
    }
}
