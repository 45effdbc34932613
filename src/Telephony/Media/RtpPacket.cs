using System.Buffers.Binary;

namespace CallCenter.Telephony.Media;

/// <summary>An RTP header (RFC 3550 §5.1) checked against the packet length; the payload is a slice of the packet.</summary>
public readonly record struct RtpHeader(bool Marker, int PayloadType, ushort Sequence, uint Timestamp, uint Ssrc, int PayloadOffset, int PayloadLength)
{
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < 12 || (packet[0] >> 6) != 2)
        {
            return false;
        }

        var csrcCount = packet[0] & 0x0F;
        var offset = 12 + (csrcCount * 4);
        if (offset > packet.Length)
        {
            return false;
        }

        if ((packet[0] & 0x10) != 0)
        {
            if (offset + 4 > packet.Length)
            {
                return false;
            }

            var extWords = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
            offset += 4 + (extWords * 4);
            if (offset > packet.Length)
            {
                return false;
            }
        }

        var end = packet.Length;
        if ((packet[0] & 0x20) != 0)
        {
            var padding = packet[^1];
            if (padding == 0 || end - padding < offset)
            {
                return false;
            }

            end -= padding;
        }

        var pt = packet[1] & 0x7F;
        // 72-76 with the marker bit are RTCP (PT 200-204) sent to the RTP port, e.g. with rtcp-mux (RFC 5761).
        if (pt is >= 72 and <= 76)
        {
            return false;
        }

        header = new RtpHeader((packet[1] & 0x80) != 0, pt, BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[4..]), BinaryPrimitives.ReadUInt32BigEndian(packet[8..]), offset, end - offset);
        return true;
    }

    public static int Write(Span<byte> into, bool marker, int payloadType, ushort sequence, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload)
    {
        into[0] = 0x80;
        into[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(into[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(into[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(into[8..], ssrc);
        payload.CopyTo(into[12..]);
        return 12 + payload.Length;
    }
}

/// <summary>An RFC 4733 telephone-event payload.</summary>
public readonly record struct DtmfEvent(int Event, bool End, int Volume, int Duration)
{
    public static bool TryParse(ReadOnlySpan<byte> payload, out DtmfEvent e)
    {
        e = default;
        if (payload.Length < 4)
        {
            return false;
        }

        e = new DtmfEvent(payload[0], (payload[1] & 0x80) != 0, payload[1] & 0x3F, BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    public char? Digit => Event switch
    {
        >= 0 and <= 9 => (char)('0' + Event),
        10 => '*',
        11 => '#',
        >= 12 and <= 15 => (char)('A' + Event - 12),
        _ => null,
    };
}
