using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallCenter.Telephony.Screening;

/// <summary>A rule as written in Rules/*.json: canonical forms (the seed wording) plus core patterns.</summary>
public sealed record RuleFileEntry(
    string Code,
    int Version,
    IReadOnlyList<string> Forms,
    IReadOnlyList<string> Cores,
    string? Category,
    string? Severity,
    string? Replacement,
    IReadOnlyList<string>? Exceptions,
    string? Source,
    string? Speaker);

public sealed record RuleFile(string Kind, string Speaker, string Citation, IReadOnlyList<RuleFileEntry> Rules);

/// <summary>Loads and validates the versioned rule files (domain.md §2, §5, §6, §9) embedded in the assembly.</summary>
public static class RuleFiles
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly HashSet<string> TabooSeverities = ["H", "M", "L"];
    private static readonly HashSet<string> CueSeverities = ["S1", "S2", "S3"];

    public static Lexicon LoadLexicon() => Lexicon.Parse(ScreeningData.ReadRuleFile("lexicon.json"));

    /// <summary>All rules of the embedded files; throws <see cref="FormatException"/> listing every problem found.</summary>
    public static IReadOnlyList<RuleFileEntryWithRule> LoadAll(TextNormalizer normalizer)
    {
        var errors = new List<string>();
        var all = new List<RuleFileEntryWithRule>();
        foreach (var name in ScreeningData.RuleFiles)
        {
            RuleFile? file;
            try
            {
                file = JsonSerializer.Deserialize<RuleFile>(ScreeningData.ReadRuleFile(name), Json);
            }
            catch (JsonException ex)
            {
                errors.Add($"{name}: {ex.Message}");
                continue;
            }

            if (file?.Rules is null)
            {
                errors.Add($"{name}: no rules");
                continue;
            }

            foreach (var entry in file.Rules)
            {
                var rule = Validate(name, file, entry, normalizer, errors);
                if (rule is not null)
                {
                    all.Add(new RuleFileEntryWithRule(entry, rule));
                }
            }
        }

        foreach (var duplicate in all.GroupBy(r => r.Rule.Code, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"rule code {duplicate.Key} is used {duplicate.Count()} times");
        }

        return errors.Count == 0 ? all : throw new FormatException("screening rule files are invalid: " + string.Join("; ", errors));
    }

    private static ScreeningRule? Validate(string file, RuleFile header, RuleFileEntry e, TextNormalizer normalizer, List<string> errors)
    {
        var where = $"{file} {e.Code ?? "(no code)"}";
        try
        {
            var kind = ScreeningRule.ParseKind(header.Kind);
            var speaker = ScreeningRule.ParseSpeaker(e.Speaker ?? header.Speaker);
            if (string.IsNullOrWhiteSpace(e.Code) || e.Version < 1 || e.Forms is not { Count: > 0 } || e.Cores is not { Count: > 0 })
            {
                errors.Add($"{where}: code, version >= 1, forms and cores are required");
                return null;
            }

            if (string.IsNullOrWhiteSpace(e.Source))
            {
                errors.Add($"{where}: every rule needs its seed citation");
                return null;
            }

            var severityOk = kind switch
            {
                RuleKind.Taboo => e.Severity is not null && TabooSeverities.Contains(e.Severity),
                RuleKind.CustomerCue => e.Severity is not null && CueSeverities.Contains(e.Severity),
                _ => e.Severity is null,
            };
            if (!severityOk)
            {
                errors.Add($"{where}: severity '{e.Severity}' does not fit a {header.Kind} rule");
                return null;
            }

            if (kind == RuleKind.Required && e.Category is not ("greeting" or "need" or "closing"))
            {
                errors.Add($"{where}: a required rule's category is greeting, need or closing");
                return null;
            }

            var cores = e.Cores.Select(c => CorePattern.Parse(c, normalizer.Fold)).ToArray();
            var pattern = string.Join(ScreeningRule.CoreSeparator, e.Cores);
            var rule = new ScreeningRule(e.Code, kind, speaker, e.Forms[0], pattern,
                cores.Any(c => c.HasGaps) ? MatchMode.Gap : MatchMode.Exact, e.Category, e.Severity, e.Replacement,
                e.Exceptions ?? [], e.Source, Enabled: true, e.Version);
            _ = CompiledRule.Create(rule, normalizer);
            return rule;
        }
        catch (FormatException ex)
        {
            errors.Add($"{where}: {ex.Message}");
            return null;
        }
    }
}

public sealed record RuleFileEntryWithRule(RuleFileEntry Entry, ScreeningRule Rule);
