using System.Globalization;
using System.Net;
using System.Text;
using CallCenter.Telephony.Sdp;

namespace CallCenter.Telephony.Outbound;

/// <summary>Our SDP offer for outbound calls (RFC 3264 offerer): PCMU, PCMA and telephone-event 101, sendrecv.</summary>
public static class OutboundSdp
{
    public const int TelephoneEvent = 101;

    public static byte[] WriteOffer(IPAddress localAddress, int localPort, long sessionId)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        var ipType = localAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("v=0\r\n");
        sb.Append(inv, $"o=CallCenter {sessionId} {sessionId} IN {ipType} {localAddress}\r\n");
        sb.Append("s=-\r\n");
        sb.Append(inv, $"c=IN {ipType} {localAddress}\r\n");
        sb.Append("t=0 0\r\n");
        sb.Append(inv, $"m=audio {localPort} RTP/AVP 0 8 {TelephoneEvent}\r\n");
        sb.Append("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n");
        sb.Append(inv, $"a=rtpmap:{TelephoneEvent} telephone-event/8000\r\na=fmtp:{TelephoneEvent} 0-15\r\n");
        sb.Append("a=ptime:20\r\na=sendrecv\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

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
