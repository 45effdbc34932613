using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallCenter.Telephony.Screening;

/// <summary>Words the engine needs besides the rules (Rules/lexicon.json): fillers, context frames, promise times, redaction cues.</summary>
public sealed record Lexicon(
    int Version,
    IReadOnlyList<string> Fillers,
    string QuoteOpen,
    string QuoteClose,
    IReadOnlyList<string> NegationFrames,
    IReadOnlyList<string> ReportingFrames,
    IReadOnlyList<string> Alternatives,
    AngerSettings Anger,
    AgentTabooEscalation AgentTabooEscalation,
    PromiseTimeSettings PromiseTime,
    RedactionCues Redaction,
    IReadOnlyDictionary<string, string> Polyphones)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public static Lexicon Parse(string json)
    {
        var lexicon = JsonSerializer.Deserialize<Lexicon>(json, Json) ?? throw new FormatException("lexicon.json is empty");
        var errors = new List<string>();
        if (lexicon.Fillers is null || lexicon.NegationFrames is null || lexicon.ReportingFrames is null || lexicon.Alternatives is null || lexicon.Polyphones is null)
        {
            errors.Add("fillers, negationFrames, alternatives and polyphones are required");
        }

        if (lexicon.AgentTabooEscalation is null || lexicon.AgentTabooEscalation.EscalateTo is not ("S1" or "S2" or "S3"))
        {
            errors.Add("agentTabooEscalation.escalateTo must be S1, S2 or S3");
        }

        if (lexicon.Anger is null || lexicon.Anger.RepeatThreshold < 1)
        {
            errors.Add("anger.repeatThreshold must be at least 1");
        }

        if (lexicon.PromiseTime is null || !TimeOnly.TryParse(lexicon.PromiseTime.MorningEnd, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            errors.Add("promiseTime times must be HH:mm");
        }

        if (lexicon.Redaction is null || lexicon.Redaction.CueWindow < 1)
        {
            errors.Add("redaction.cueWindow must be at least 1");
        }

        return errors.Count == 0 ? lexicon : throw new FormatException("lexicon.json: " + string.Join("; ", errors));
    }
}

public sealed record AgentTabooEscalation(string Severity, string EscalateTo);

public sealed record AngerSettings(IReadOnlyList<string> Categories, int RepeatThreshold, string EscalateTo);

public sealed record PromiseTimeSettings(string MorningEnd, string NoonEnd, string AfternoonEnd, string EveningEnd, string DayEnd, string TimeZone)
{
    public static TimeOnly Parse(string value) => TimeOnly.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record RedactionCues(IReadOnlyList<string> CvvCues, IReadOnlyList<string> CodeCues, int CueWindow);
