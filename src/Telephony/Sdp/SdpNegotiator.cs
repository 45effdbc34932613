using System.Globalization;
using System.Net;
using System.Text;

namespace CallCenter.Telephony.Sdp;

public enum AudioCodec
{
    Pcmu = 0,
    Pcma = 8,
}

/// <summary>What an answer agreed: the codec, the DTMF payload type (if any) and where the caller's media is.</summary>
public sealed record SdpAgreement(AudioCodec Codec, int? TelephoneEventPayloadType, IPEndPoint RemoteMedia, string Direction);

/// <summary>
/// RFC 3264 answerer for one audio stream: the first PCMU or PCMA in the offer's order, telephone-event echoed
/// with the offer's payload type. Anything else (no audio, only other codecs, port 0) fails with a reason: 488.
/// </summary>
public static class SdpNegotiator
{
    public static bool TryAnswer(SdpSession offer, out SdpAgreement agreement, out string error)
    {
        ArgumentNullException.ThrowIfNull(offer);
        agreement = null!;
        foreach (var m in offer.Media)
        {
            if (m.Media != "audio" || m.Port == 0 || !m.Protocol.Equals("RTP/AVP", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            AudioCodec? codec = null;
            int? dtmf = null;
            foreach (var pt in m.Formats)
            {
                // Static payload types may come without rtpmap (RFC 3551); a dynamic one needs its rtpmap.
                var map = m.RtpMaps.GetValueOrDefault(pt) ?? pt switch { 0 => "PCMU/8000", 8 => "PCMA/8000", _ => "" };
                if (codec is null && map.StartsWith("PCMU/8000", StringComparison.OrdinalIgnoreCase))
                {
                    codec = AudioCodec.Pcmu;
                }
                else if (codec is null && map.StartsWith("PCMA/8000", StringComparison.OrdinalIgnoreCase))
                {
                    codec = AudioCodec.Pcma;
                }
                else if (dtmf is null && map.StartsWith("telephone-event/8000", StringComparison.OrdinalIgnoreCase))
                {
                    dtmf = pt;
                }
            }

            var address = m.Connection ?? offer.Connection;
            if (codec is null || address is null)
            {
                continue;
            }

            var ip = IPAddress.Parse(address);
            if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            {
                // 0.0.0.0 is an old hold marker, never a destination we accept media from.
                error = "connection address 0.0.0.0";
                return false;
            }

            agreement = new SdpAgreement(codec.Value, dtmf, new IPEndPoint(ip, m.Port), m.Direction);
            error = "";
            return true;
        }

        error = "no PCMU or PCMA audio stream offered";
        return false;
    }

    /// <summary>The telephone-event payload type of our own offers.</summary>
    public const int OfferTelephoneEvent = 101;

    /// <summary>Our offer for a leg we originate (agent phone, outbound call): PCMU, PCMA and RFC 4733 digits.</summary>
    public static byte[] WriteOffer(IPAddress localAddress, int localPort, long sessionId, string direction = "sendrecv")
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
        sb.Append(inv, $"m=audio {localPort} RTP/AVP 0 8 {OfferTelephoneEvent}\r\n");
        sb.Append("a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n");
        sb.Append(inv, $"a=rtpmap:{OfferTelephoneEvent} telephone-event/8000\r\na=fmtp:{OfferTelephoneEvent} 0-15\r\n");
        sb.Append("a=ptime:20\r\n");
        sb.Append("a=").Append(direction).Append("\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>
    /// Reads the answer to our offer (RFC 3264 §6): the codec the answerer chose (the first of ours it lists), its
    /// digits payload type and media address; fails when it chose nothing we offered.
    /// </summary>
    public static bool TryReadAnswer(SdpSession answer, out SdpAgreement agreement, out string error) => TryAnswer(answer, out agreement, out error);

    /// <summary>Writes our answer; we only receive in this issue but declare sendrecv so prompts can play.</summary>
    public static byte[] WriteAnswer(SdpAgreement agreement, IPAddress localAddress, int localPort, long sessionId)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        ArgumentNullException.ThrowIfNull(localAddress);
        var ipType = localAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        var pt = (int)agreement.Codec;
        var name = agreement.Codec == AudioCodec.Pcmu ? "PCMU" : "PCMA";
        var direction = agreement.Direction switch
        {
            "sendonly" => "recvonly",
            "recvonly" => "sendonly",
            "inactive" => "inactive",
            _ => "sendrecv",
        };
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append("v=0\r\n");
        sb.Append(inv, $"o=CallCenter {sessionId} {sessionId} IN {ipType} {localAddress}\r\n");
        sb.Append("s=-\r\n");
        sb.Append(inv, $"c=IN {ipType} {localAddress}\r\n");
        sb.Append("t=0 0\r\n");
        sb.Append(inv, $"m=audio {localPort} RTP/AVP {pt}");
        if (agreement.TelephoneEventPayloadType is { } te)
        {
            sb.Append(inv, $" {te}");
        }

        sb.Append("\r\n");
        sb.Append(inv, $"a=rtpmap:{pt} {name}/8000\r\n");
        if (agreement.TelephoneEventPayloadType is { } te2)
        {
            sb.Append(inv, $"a=rtpmap:{te2} telephone-event/8000\r\na=fmtp:{te2} 0-15\r\n");
        }

        sb.Append("a=ptime:20\r\n");
        sb.Append("a=").Append(direction).Append("\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
