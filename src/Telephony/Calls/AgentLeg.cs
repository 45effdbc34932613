using System.Globalization;
using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sip;

namespace CallCenter.Telephony.Calls;

/// <summary>
/// The agent side of a bridged call: a UAC dialog we own (RFC 3261 §12.1.2): our From tag, the phone's To tag,
/// its Contact as remote target, the Record-Route set reversed, and our own CSeq for BYE, NOTIFY and re-INVITEs.
/// </summary>
public sealed class AgentLeg
{
    private long _cseq;
    private int _ended;

    public AgentLeg(AgentAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        AgentId = answer.AgentId;
        Invite = answer.Invite;
        Answer = answer.Answer;
        Phone = answer.Phone;
        _cseq = answer.Invite.CSeq.Number;
        RemoteTarget = answer.Answer.Get("Contact") is { } c && NameAddress.TryParse(c, out var contact) ? contact.Uri : answer.Invite.RequestUri;
        Routes = answer.Answer.GetAll("Record-Route").Reverse().ToArray();
    }

    public int AgentId { get; }

    public SipRequest Invite { get; }

    public SipResponse Answer { get; }

    public SipRemote Phone { get; }

    /// <summary>The leg's media once its SDP answer was accepted.</summary>
    public RtpSession? Media { get; set; }

    public string SipCallId => Invite.CallId;

    public string RemoteTarget { get; }

    public IReadOnlyList<string> Routes { get; }

    public string? LocalTag => NameAddress.TryParse(Invite.Get("From") ?? "", out var f) ? f.Tag : null;

    public string? RemoteTag => NameAddress.TryParse(Answer.Get("To") ?? "", out var t) ? t.Tag : null;

    /// <summary>Set while a REFER from this leg is being carried out: its BYE then ends only this leg, not the call.</summary>
    public bool Transferring { get; set; }

    public bool IsEnded => Volatile.Read(ref _ended) == 1;

    /// <summary>True exactly once: whoever ends the leg first sends (or answers) its BYE and releases its media.</summary>
    public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;

    /// <summary>Does an in-dialog request from the phone belong to this leg (Call-ID, our tag in To, its tag in From)?</summary>
    public bool Matches(SipRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.CallId == SipCallId
            && NameAddress.TryParse(request.Get("To") ?? "", out var to) && to.Tag == LocalTag
            && NameAddress.TryParse(request.Get("From") ?? "", out var from) && from.Tag == RemoteTag;
    }

    /// <summary>A new in-dialog request (BYE, NOTIFY) toward the phone with the next local CSeq.</summary>
    public SipRequest CreateRequest(string method, string contactHost, int contactPort)
    {
        var request = new SipRequest(method, RemoteTarget);
        request.Add("From", Invite.Get("From") ?? "");
        request.Add("To", Answer.Get("To") ?? "");
        request.Add("Call-ID", SipCallId);
        request.Add("CSeq", Interlocked.Increment(ref _cseq).ToString(CultureInfo.InvariantCulture) + " " + method);
        foreach (var route in Routes)
        {
            request.Add("Route", route);
        }

        request.Add("Contact", "<sip:callcenter@" + contactHost + ":" + contactPort.ToString(CultureInfo.InvariantCulture) + ">");
        return request;
    }
}
