namespace CallCenter.Telephony.Calls;

/// <summary>
/// Something that happened to a call, published on the in-process <see cref="CallEventBus"/> for the web
/// (screen-pops, wallboard), transcription and callbacks. The database row is the truth; these are news.
/// </summary>
public abstract record CallEvent(Guid CallId, DateTimeOffset At);

/// <summary>An inbound call arrived on a toll-free number and passed the nuisance rules.</summary>
public sealed record CallOffered(Guid CallId, DateTimeOffset At, string? CallerNumber, string DialedNumber,
    int ServiceLineId, string LineCode) : CallEvent(CallId, At);

/// <summary>A call was refused before answering (unknown number, nuisance rule, overload).</summary>
public sealed record CallRejected(Guid CallId, DateTimeOffset At, string? CallerNumber, string DialedNumber,
    int SipStatus, string Reason) : CallEvent(CallId, At);

/// <summary>The caller waits in a service line's queue.</summary>
public sealed record CallQueued(Guid CallId, DateTimeOffset At, int ServiceLineId, int Position) : CallEvent(CallId, At);

/// <summary>An agent's phone rings with this caller: the moment of the screen-pop.</summary>
public sealed record AgentRinging(Guid CallId, DateTimeOffset At, int AgentId, string? CallerNumber, string DialedNumber,
    int ServiceLineId, string LineCode) : CallEvent(CallId, At);

/// <summary>The call is connected (to an agent when AgentId is set, else to CallCenter's announcement/IVR).</summary>
public sealed record CallAnswered(Guid CallId, DateTimeOffset At, int? AgentId) : CallEvent(CallId, At);

/// <summary>The call ended; Disposition and EndedBy use the values of the calls table.</summary>
public sealed record CallEnded(Guid CallId, DateTimeOffset At, string Disposition, string EndedBy, string? Reason)
    : CallEvent(CallId, At);

/// <summary>An agent's state changed (by SIP events or the web UI).</summary>
public sealed record AgentStateChanged(Guid CallId, DateTimeOffset At, int AgentId, string State) : CallEvent(CallId, At);

/// <summary>A DTMF digit arrived on the call (RFC 4733), from the negotiated source only.</summary>
public sealed record DtmfReceived(Guid CallId, DateTimeOffset At, char Digit) : CallEvent(CallId, At);

/// <summary>
/// An agent promised a callback or a result at a stated time ("10分钟后给您回电"); the web turns it into a callback
/// request. Sentence is already redacted; SegmentId is the transcript row it was heard in.
/// </summary>
public sealed record PromiseDetected(Guid CallId, DateTimeOffset At, string PromiseCode, string Sentence, string TimeText,
    DateTimeOffset DueAt, long SegmentId) : CallEvent(CallId, At);

/// <summary>
/// A queued caller pressed 1 at the callback offer; the call then ends with disposition 'callback_offered'. The web
/// turns it into a 'queue_callback' request. CallerNumber is null when withheld (no request can be made).
/// </summary>
public sealed record QueueCallbackRequested(Guid CallId, DateTimeOffset At, int ServiceLineId, string? CallerNumber)
    : CallEvent(CallId, At);
