namespace CallCenter.Telephony.Outbound;

/// <summary>
/// One outbound call to place. <paramref name="SipCallId"/> is used as the INVITE's Call-ID (one attempt, one
/// Call-ID, one INVITE); <paramref name="Headers"/> are added to the INVITE (e.g. X-CallCenter-Attempt). Without a
/// <paramref name="Script"/> the call is hung up politely as soon as it is answered.
/// </summary>
public sealed record OutboundRequest(
    string Destination,
    string SipCallId,
    IReadOnlyDictionary<string, string> Headers,
    OutboundScript? Script,
    long? CallbackAttemptId = null,
    long? CustomerId = null);

/// <summary>
/// An automated call: play <paramref name="Prompt"/> and collect one key among <paramref name="ValidDigits"/>;
/// on silence (or a key not offered) play <paramref name="NoInputPrompt"/> and the prompt once more; then
/// <paramref name="GoodbyePrompt"/> and hang up. Prompt names are files of the prompt folder.
/// </summary>
public sealed record OutboundScript(string Prompt, string ValidDigits, string? NoInputPrompt = "no_input.wav", string? GoodbyePrompt = "goodbye.wav");

public enum OutboundOutcome
{
    Answered,
    Busy,
    NoAnswer,
    Rejected,
    Failed,
}

/// <summary>How the call went: outcome, the final SIP status (null when none came), the digits collected, and why.</summary>
public sealed record OutboundResult(OutboundOutcome Outcome, int? SipStatus, string? Dtmf, Guid? CallId, string Reason);
