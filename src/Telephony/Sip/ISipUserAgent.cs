namespace CallCenter.Telephony.Sip;

/// <summary>The transaction user above <see cref="SipCore"/>: the call layer implements it.</summary>
public interface ISipUserAgent
{
    /// <summary>A new INVITE (100 Trying already sent). Answer through <paramref name="transaction"/>.</summary>
    void OnInvite(ServerTransaction transaction);

    /// <summary>An ACK for a 2xx (the ACK of a non-2xx is absorbed by the stack).</summary>
    void OnAck(SipRequest ack, SipRemote from);

    /// <summary>CANCEL matched an INVITE that had no final response yet; the UA must answer it (487).</summary>
    void OnCancel(ServerTransaction invite);

    /// <summary>Any other request (BYE, INFO, in-dialog requests). Must produce one final response.</summary>
    void OnRequest(ServerTransaction transaction);

    /// <summary>A 2xx to INVITE was never acknowledged within 64×T1: the UA should end the dialog with BYE.</summary>
    void OnAckTimeout(ServerTransaction invite);
}
