namespace CallCenter.Telephony.Screening;

public enum RuleKind { Taboo, Required, CustomerCue, Promise }

public enum Speaker { Agent, Customer, Any }

public enum MatchMode { Exact, Gap, Pinyin, Regex }

/// <summary>
/// One screening rule as stored in <c>screening_rules</c> and in the Rules/*.json files.
/// <see cref="Pattern"/> holds the core patterns separated by " / " (literals, <c>(a|b)</c>, <c>x?</c>, <c>.{m,n}</c> gaps).
/// <see cref="Exceptions"/> holds phrases that suppress the rule when present in the utterance, and context
/// flags starting with '@': <c>@standalone</c> (the match must be a whole clause), <c>@sentence-final</c>,
/// <c>@softenable</c> (an offered alternative after the match lowers the severity to L).
/// </summary>
public sealed record ScreeningRule(
    string Code,
    RuleKind Kind,
    Speaker Speaker,
    string Phrase,
    string Pattern,
    MatchMode MatchMode,
    string? Category,
    string? Severity,
    string? Replacement,
    IReadOnlyList<string> Exceptions,
    string? Source,
    bool Enabled,
    int Version,
    int? Id = null)
{
    public const string CoreSeparator = " / ";

    public IReadOnlyList<string> Cores => Pattern.Split(CoreSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string KindText(RuleKind kind) => kind switch
    {
        RuleKind.Taboo => "taboo",
        RuleKind.Required => "required",
        RuleKind.CustomerCue => "customer_cue",
        _ => "promise",
    };

    public static RuleKind ParseKind(string text) => text switch
    {
        "taboo" => RuleKind.Taboo,
        "required" => RuleKind.Required,
        "customer_cue" => RuleKind.CustomerCue,
        "promise" => RuleKind.Promise,
        _ => throw new FormatException($"unknown rule kind '{text}'"),
    };

    public static string SpeakerText(Speaker speaker) => speaker switch
    {
        Speaker.Agent => "agent",
        Speaker.Customer => "customer",
        _ => "any",
    };

    public static Speaker ParseSpeaker(string text) => text switch
    {
        "agent" => Speaker.Agent,
        "customer" => Speaker.Customer,
        "any" => Speaker.Any,
        _ => throw new FormatException($"unknown speaker '{text}'"),
    };

    public static string ModeText(MatchMode mode) => mode switch
    {
        MatchMode.Exact => "exact",
        MatchMode.Gap => "gap",
        MatchMode.Pinyin => "pinyin",
        _ => "regex",
    };

    public static MatchMode ParseMode(string text) => text switch
    {
        "exact" => MatchMode.Exact,
        "gap" => MatchMode.Gap,
        "pinyin" => MatchMode.Pinyin,
        "regex" => MatchMode.Regex,
        _ => throw new FormatException($"unknown match mode '{text}'"),
    };
}

/// <summary>A rule that fired on one utterance; offsets and <see cref="MatchedText"/> refer to the original text.</summary>
public sealed record ScreeningHit(
    int? RuleId,
    string Code,
    int Version,
    RuleKind Kind,
    string? Category,
    string? Severity,
    string MatchedText,
    int Start,
    int Length,
    MatchMode Mode,
    double Confidence,
    string? Replacement,
    string? Source);
