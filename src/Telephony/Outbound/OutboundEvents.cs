using CallCenter.Telephony.Calls;

namespace CallCenter.Telephony.Outbound;

/// <summary>
/// We started an outbound call (the outbound counterpart of <see cref="CallOffered"/>); answer and end are the
/// usual <see cref="CallAnswered"/> and <see cref="CallEnded"/>. Destination is masked (last four digits).
/// </summary>
public sealed record OutboundCallPlaced(Guid CallId, DateTimeOffset At, string MaskedDestination, string SipCallId, long? CallbackAttemptId)
    : CallEvent(CallId, At);

/// <summary>An outbound call got its final answer to the INVITE (Outcome: answered, busy, no_answer, rejected, failed).</summary>
public sealed record OutboundCallSettled(Guid CallId, DateTimeOffset At, string Outcome, int? SipStatus) : CallEvent(CallId, At);
