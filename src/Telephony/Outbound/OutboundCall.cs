using System.Globalization;
using System.Threading.Channels;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sip;

namespace CallCenter.Telephony.Outbound;

/// <summary>
/// One answered outbound call (UAC side of the dialog, RFC 3261 §12.1.2): the dialog state taken from our INVITE
/// and the 2xx, the customer leg's media and recording, and the keys the customer pressed.
/// </summary>
public sealed class OutboundCall
{
    private readonly Channel<char> _digits = Channel.CreateBounded<char>(new BoundedChannelOptions(32) { FullMode = BoundedChannelFullMode.DropOldest });
    private long _localCSeq;
    private int _remoteHungUp;

    internal OutboundCall(Guid id, SipRequest invite, SipResponse answer, SipRemote remote, DateTimeOffset answeredAt)
    {
        Id = id;
        Invite = invite;
        Answer = answer;
        Remote = remote;
        AnsweredAt = answeredAt;
        _localCSeq = invite.CSeq.Number;
        LocalTag = NameAddress.TryParse(invite.Get("From") ?? "", out var from) ? from.Tag : null;
        RemoteTag = NameAddress.TryParse(answer.Get("To") ?? "", out var to) ? to.Tag : null;
    }

    public Guid Id { get; }

    public SipRequest Invite { get; }

    public SipResponse Answer { get; }

    public SipRemote Remote { get; }

    public string SipCallId => Invite.CallId;

    public string? LocalTag { get; }

    public string? RemoteTag { get; }

    public DateTimeOffset AnsweredAt { get; }

    public RtpSession? Media { get; set; }

    public WavWriter? Recorder { get; set; }

    public long? RecordingId { get; set; }

    /// <summary>Cancelled when the customer hangs up (BYE): stops prompts and the wait for keys.</summary>
    public CancellationTokenSource Hangup { get; } = new();

    public bool RemoteHungUp => Volatile.Read(ref _remoteHungUp) == 1;

    public ChannelReader<char> Digits => _digits.Reader;

    internal void OnDigit(char digit) => _digits.Writer.TryWrite(digit);

    internal void OnRemoteBye()
    {
        if (Interlocked.Exchange(ref _remoteHungUp, 1) == 0)
        {
            Hangup.Cancel();
        }
    }

    /// <summary>An in-dialog request from the customer: Call-ID, our tag in To, theirs in From (§12.2.2).</summary>
    public bool Matches(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.CallId == SipCallId
            && NameAddress.TryParse(request.Get("To") ?? "", out var to) && to.Tag == LocalTag
            && NameAddress.TryParse(request.Get("From") ?? "", out var from) && from.Tag == RemoteTag;
    }

    public SipRequest CreateBye(string contactHost, int contactPort) =>
        ByeFor(Invite, Answer, Interlocked.Increment(ref _localCSeq), contactHost, contactPort);

    /// <summary>
    /// Our BYE as the UAC (RFC 3261 §12.2.1.1): to the remote target (the 2xx's Contact), route set = the 2xx's
    /// Record-Route reversed, From/To as in the INVITE with the remote tag from the 2xx.
    /// </summary>
    internal static SipRequest ByeFor(SipRequest invite, SipResponse answer, long cseq, string contactHost, int contactPort)
    {
        var target = answer.GetAll("Contact") is [var c, ..] && NameAddress.TryParse(c, out var contact) ? contact.Uri : invite.RequestUri;
        var bye = new SipRequest("BYE", target);
        bye.Add("From", invite.Get("From") ?? "");
        bye.Add("To", answer.Get("To") ?? invite.Get("To") ?? "");
        bye.Add("Call-ID", invite.CallId);
        bye.Add("CSeq", cseq.ToString(CultureInfo.InvariantCulture) + " BYE");
        foreach (var rr in answer.GetAll("Record-Route").Reverse())
        {
            bye.Add("Route", rr);
        }

        bye.Add("Contact", "<sip:callcenter@" + contactHost + ":" + contactPort.ToString(CultureInfo.InvariantCulture) + ">");
        return bye;
    }
}
