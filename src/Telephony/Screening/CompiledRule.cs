namespace CallCenter.Telephony.Screening;

/// <summary>A rule with its cores parsed, literals folded, pinyin keys computed and context flags read.</summary>
internal sealed record CompiledRule(
    ScreeningRule Rule,
    CorePattern[] Cores,
    ushort[][][]?[] CoreKeys,
    string[] ExceptionPhrases,
    bool Standalone,
    bool SentenceFinal,
    bool Softenable)
{
    public static CompiledRule Create(ScreeningRule rule, TextNormalizer normalizer)
    {
        var cores = rule.Cores.Select(c => CorePattern.Parse(c, normalizer.Fold)).ToArray();
        if (cores.Length == 0)
        {
            throw new FormatException($"rule {rule.Code} has no core pattern");
        }

        var keys = cores.Select(core => rule.MatchMode == MatchMode.Regex
            ? null
            : core.Segments.Select(s => s.Literals.Select(l => Collapse(normalizer.Keys(l))).ToArray()).ToArray()).ToArray();
        var flags = rule.Exceptions.Where(e => e.StartsWith('@')).ToHashSet(StringComparer.Ordinal);
        var unknown = flags.Except(["@standalone", "@sentence-final", "@softenable"]).ToArray();
        if (unknown.Length > 0)
        {
            throw new FormatException($"rule {rule.Code} has unknown context flags {string.Join(", ", unknown)}");
        }

        var phrases = rule.Exceptions.Where(e => !e.StartsWith('@')).Select(normalizer.Fold).Where(e => e.Length > 0).ToArray();
        return new CompiledRule(rule, cores, keys, phrases, flags.Contains("@standalone"), flags.Contains("@sentence-final"), flags.Contains("@softenable"));
    }

    private static ushort[] Collapse(ushort[] keys)
    {
        var list = new List<ushort>(keys.Length);
        foreach (var k in keys)
        {
            if (list.Count == 0 || list[^1] != k)
            {
                list.Add(k);
            }
        }

        return [.. list];
    }
}
