using System.Net;
using CallCenter.Telephony.Sdp;

namespace CallCenter.Telephony.Outbound;

/// <summary>Our SDP offer for outbound calls (RFC 3264 offerer): PCMU, PCMA and telephone-event 101, sendrecv.</summary>
public static class OutboundSdp
{
    public const int TelephoneEvent = SdpNegotiator.OfferTelephoneEvent;

    /// <summary>Our offer: the same as for agent legs (PCMU, PCMA, telephone-event 101, sendrecv).</summary>
    public static byte[] WriteOffer(IPAddress localAddress, int localPort, long sessionId) =>
        SdpNegotiator.WriteOffer(localAddress, localPort, sessionId);

    /// <summary>
    /// Reads the answer: the codec it chose among ours and its media address. A telephone-event the answer lacks
    /// falls back to ours (101), since many trunks send RFC 4733 without echoing it.
    /// </summary>
    public static bool TryReadAnswer(ReadOnlySpan<byte> body, out SdpAgreement agreement, out string error)
    {
        agreement = null!;
        if (!SdpSession.TryParse(body, out var answer, out error) || !SdpNegotiator.TryAnswer(answer, out var a, out error))
        {
            return false;
        }

        agreement = a.TelephoneEventPayloadType is null ? a with { TelephoneEventPayloadType = TelephoneEvent } : a;
        return true;
    }
}
