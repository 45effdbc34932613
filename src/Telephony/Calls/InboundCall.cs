using System.Globalization;
using System.Threading.Channels;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Routing;
using CallCenter.Telephony.Sip;

namespace CallCenter.Telephony.Calls;

public enum CallState
{
    Setup,
    Ringing,
    Announcing,
    Queued,
    Connected,
    Held,
    Ended,
}

/// <summary>
/// One inbound call: its SIP dialog (UAS side), the customer leg's media and recording, and its state. The next
/// issue's ACD and B2BUA attach an agent leg here; the database row in <c>calls</c> mirrors every state change.
/// </summary>
public sealed class InboundCall(Guid id, ServerTransaction invite, string? caller, string dialed, TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _localCSeq;
    private int _ended;

    public Guid Id { get; } = id;

    public ServerTransaction Invite { get; } = invite;

    public string SipCallId => Invite.Request.CallId;

    public string LocalTag => Invite.LocalTag;

    public SipRemote Remote => Invite.Remote;

    public string? Caller { get; } = caller;

    public string Dialed { get; } = dialed;

    public ServiceLine? Line { get; set; }

    /// <summary>The line is outside its business hours: the caller hears the closed prompt, the call ends 'closed'.</summary>
    public bool Closed { get; set; }

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public DateTimeOffset? AnsweredAt { get; set; }

    public CallState State { get; private set; } = CallState.Setup;

    public RtpSession? Media { get; set; }

    public WavWriter? Recorder { get; set; }

    /// <summary>Hands media and recorder to exactly one caller for clean-up (end of call or aborted set-up).</summary>
    public (RtpSession? Media, WavWriter? Recorder) TakeMedia()
    {
        lock (_gate)
        {
            var taken = (Media, Recorder);
            Media = null;
            Recorder = null;
            return taken;
        }
    }

    public long? RecordingId { get; set; }

    /// <summary>The answered agent's leg while the call is bridged (replaced on transfer).</summary>
    public AgentLeg? Agent { get; set; }

    public long? AgentLegRowId { get; set; }

    public MediaBridge? Bridge { get; set; }

    /// <summary>The call's stereo recording, created when the first agent answers; spans transfers.</summary>
    public StereoWavWriter? Stereo { get; set; }

    public long? StereoRecordingId { get; set; }

    /// <summary>
    /// Cancelled to stop prompts (queue announcements, hold audio) playing to the caller when an agent answers;
    /// renewed each time the call enters a queue (again after a transfer).
    /// </summary>
    public CancellationTokenSource Prompts { get; private set; } = new();

    /// <summary>A fresh <see cref="Prompts"/> source for a new wait in a queue.</summary>
    public CancellationTokenSource RenewPrompts()
    {
        lock (_gate)
        {
            // The old source is not disposed: a prompt that already ended may still hold its token.
            Prompts = new CancellationTokenSource();
            return Prompts;
        }
    }

    /// <summary>Serialises the bridge and its teardown (answer, transfer, hang-up can race).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Hands the agent leg, bridge and stereo recording to exactly one owner for teardown.</summary>
    public (AgentLeg? Agent, MediaBridge? Bridge) TakeAgent()
    {
        lock (_gate)
        {
            var taken = (Agent, Bridge);
            Agent = null;
            Bridge = null;
            return taken;
        }
    }

    /// <summary>DTMF digits of this call for the queue's menu; a small buffer where old digits give way to new ones.</summary>
    public Channel<char> Digits { get; } = Channel.CreateBounded<char>(new BoundedChannelOptions(16)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    /// <summary>Cancelled when the call ends for any reason: stops prompts and pending set-up work.</summary>
    public CancellationTokenSource Lifetime { get; } = new();

    public bool IsEnded => Volatile.Read(ref _ended) == 1;

    public void SetState(CallState state)
    {
        lock (_gate)
        {
            if (State != CallState.Ended)
            {
                State = state;
            }
        }
    }

    /// <summary>True exactly once: whoever ends the call first owns the clean-up.</summary>
    public bool TryEnd()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return false;
        }

        SetState(CallState.Ended);
        return true;
    }

    /// <summary>Does an in-dialog request belong to this call's dialog (Call-ID and both tags)?</summary>
    public bool Matches(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.CallId == SipCallId
            && NameAddress.TryParse(request.Get("To") ?? "", out var to) && to.Tag == LocalTag
            && NameAddress.TryParse(request.Get("From") ?? "", out var from) && from.Tag == RemoteTag;
    }

    public string? RemoteTag => NameAddress.TryParse(Invite.Request.Get("From") ?? "", out var f) ? f.Tag : null;

    /// <summary>Our BYE (RFC 3261 §15.1.1): to the remote target, From/To swapped relative to the INVITE, next local CSeq.</summary>
    public SipRequest CreateBye(string contactHost, int contactPort)
    {
        var inv = Invite.Request;
        var target = inv.GetAll("Contact") is [var c, ..] && NameAddress.TryParse(c, out var contact)
            ? contact.Uri
            : NameAddress.TryParse(inv.Get("From") ?? "", out var from) ? from.Uri : inv.RequestUri;
        var bye = new SipRequest("BYE", target);
        bye.Add("From", (inv.Get("To") ?? "") + ";tag=" + LocalTag);
        bye.Add("To", inv.Get("From") ?? "");
        bye.Add("Call-ID", SipCallId);
        bye.Add("CSeq", Interlocked.Increment(ref _localCSeq).ToString(CultureInfo.InvariantCulture) + " BYE");
        foreach (var rr in inv.GetAll("Record-Route"))
        {
            bye.Add("Route", rr); // UAS route set: Record-Route in the order received (§12.1.1)
        }

        bye.Add("Contact", "<sip:callcenter@" + contactHost + ":" + contactPort.ToString(CultureInfo.InvariantCulture) + ">");
        return bye;
    }
}
