using CallCenter.Callbacks.Policies;

namespace CallCenter.Callbacks.Execution;

/// <summary>
/// The seam to the softswitch: place one outbound call for one claimed attempt. Agent-first rings the owner (or a
/// team agent) with a screen-pop first; automated plays the prompt and collects DTMF. The host adapts Telephony's
/// outbound dialer to this; the INVITE must carry <see cref="DialRequest.SipCallId"/> and the attempt id
/// (X-CallCenter-Attempt) so INVITEs can be counted per attempt.
/// </summary>
public interface ICallbackDialer
{
    Task<DialResult> DialAsync(DialRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Whether this dialer can place calls of <paramref name="mode"/>; attempts of other modes are not claimed and
    /// stay scheduled (as with no dialer at all) instead of failing one by one.
    /// </summary>
    bool Dials(DialMode mode) => true;
}

public sealed record DialRequest(
    long AttemptId,
    long CallbackId,
    int AttemptNo,
    string Kind,
    DialMode Mode,
    string Destination,
    string SipCallId,
    int? OwnerAgentId,
    long? CustomerId);

public enum DialOutcome
{
    Answered,
    Busy,
    NoAnswer,
    Rejected,
    Failed,
}

/// <summary>
/// What the call did; <paramref name="Dtmf"/> holds the digits an automated call collected, <paramref name="Reason"/>
/// a short reason for the attempt's notes (SIP status, "ring timeout", why nothing was dialed).
/// </summary>
public sealed record DialResult(DialOutcome Outcome, string? Dtmf = null, string? Reason = null);
