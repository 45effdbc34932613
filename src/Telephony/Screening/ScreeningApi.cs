using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Screening;

public sealed record ScreeningCheckRequest(string? Text, string? Speaker);

public sealed record ScreeningHitView(int? RuleId, string Code, int Version, string Kind, string? Category, string? Severity,
    string MatchedText, int Start, int Length, string MatchMode, double Confidence, string? Replacement, string? Source);

public sealed record PromiseView(string Code, string TimeText, DateTimeOffset DueAt);

public sealed record ScreeningCheckResponse(string Speaker, string RuleSource, IReadOnlyList<ScreeningHitView> Hits, IReadOnlyList<PromiseView> Promises);

/// <summary><c>POST /api/screening/check</c>: runs the live engine on any text so admins can test a rule before enabling it.</summary>
public static partial class ScreeningApi
{
    public static RouteGroupBuilder MapScreeningApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/screening/check", Check).WithName("CheckScreening").WithTags("Screening");
        return api;
    }

    public static ScreeningHitView View(ScreeningHit h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return new(h.RuleId, h.Code, h.Version, ScreeningRule.KindText(h.Kind), h.Category, h.Severity, h.MatchedText, h.Start, h.Length,
            ScreeningRule.ModeText(h.Mode), h.Confidence, h.Replacement, h.Source);
    }

    private static Results<Ok<ScreeningCheckResponse>, ProblemHttpResult> Check(ScreeningCheckRequest? request, ScreeningService screening, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(ScreeningApi));
        string? problem = null;
        var speaker = Speaker.Agent;
        if (request is null || string.IsNullOrWhiteSpace(request.Text))
        {
            problem = "text is required and must not be empty";
        }
        else if (request.Text.Length > screening.Options.MaxTextLength)
        {
            problem = $"text is longer than {screening.Options.MaxTextLength} characters";
        }
        else if (request.Speaker is { } s && !TryParseSpeaker(s, out speaker))
        {
            problem = "speaker must be 'agent' or 'customer'";
        }

        if (problem is not null)
        {
            LogRefused(logger, problem);
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid screening request", detail: problem);
        }

        var text = request!.Text!;
        var hits = screening.Screen(text, speaker);
        var promises = speaker == Speaker.Agent ? screening.Promises.Extract(text) : [];
        return TypedResults.Ok(new ScreeningCheckResponse(ScreeningRule.SpeakerText(speaker), screening.RuleSource,
            hits.Select(View).ToList(), promises.Select(p => new PromiseView(p.Code, p.TimeText, p.DueAt)).ToList()));
    }

    private static bool TryParseSpeaker(string text, out Speaker speaker)
    {
        speaker = text.Trim().ToUpperInvariant() switch
        {
            "AGENT" => Speaker.Agent,
            "CUSTOMER" => Speaker.Customer,
            _ => Speaker.Any,
        };
        return speaker != Speaker.Any;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a screening check: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
