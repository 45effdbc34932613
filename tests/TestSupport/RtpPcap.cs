using System.Buffers.Binary;
using CallCenter.Telephony.Media;

namespace CallCenter.TestSupport;

/// <summary>
/// Writes 8 kHz samples as a libpcap file of G.711 RTP over UDP/IPv4/Ethernet, 20 ms a packet, for sipp's
/// <c>play_pcap_audio</c> (it replays the UDP payloads with the capture's timing to the negotiated media port).
/// </summary>
public static class RtpPcap
{
    private const int Frame = 160;

    public static void Write(string path, ReadOnlySpan<short> samples, bool alaw, uint ssrc = 0x5eed1234)
    {
        using var file = File.Create(path);
        Span<byte> global = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(global, 0xa1b2c3d4);
        BinaryPrimitives.WriteUInt16LittleEndian(global[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(global[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(global[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(global[20..], 1); // LINKTYPE_ETHERNET
        file.Write(global);

        var packet = new byte[16 + 14 + 20 + 8 + 12 + Frame];
        for (var n = 0; (n + 1) * Frame <= samples.Length; n++)
        {
            var p = packet.AsSpan();
            p.Clear();
            var micros = (long)n * 20_000;
            BinaryPrimitives.WriteUInt32LittleEndian(p, (uint)(micros / 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(p[4..], (uint)(micros % 1_000_000));
            BinaryPrimitives.WriteUInt32LittleEndian(p[8..], (uint)(packet.Length - 16));
            BinaryPrimitives.WriteUInt32LittleEndian(p[12..], (uint)(packet.Length - 16));
            var eth = p[16..];
            BinaryPrimitives.WriteUInt16BigEndian(eth[12..], 0x0800);
            var ip = eth[14..];
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 8 + 12 + Frame));
            ip[8] = 64;
            ip[9] = 17; // UDP
            ip[12] = 127;
            ip[15] = 1;
            ip[16] = 127;
            ip[19] = 1;
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], IpChecksum(ip[..20]));
            var udp = ip[20..];
            BinaryPrimitives.WriteUInt16BigEndian(udp, 6000);
            BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 6002);
            BinaryPrimitives.WriteUInt16BigEndian(udp[4..], 8 + 12 + Frame);
            var rtp = udp[8..];
            rtp[0] = 0x80;
            rtp[1] = (byte)((alaw ? 8 : 0) | (n == 0 ? 0x80 : 0));
            BinaryPrimitives.WriteUInt16BigEndian(rtp[2..], (ushort)n);
            BinaryPrimitives.WriteUInt32BigEndian(rtp[4..], (uint)(n * Frame));
            BinaryPrimitives.WriteUInt32BigEndian(rtp[8..], ssrc);
            var payload = rtp[12..];
            var chunk = samples.Slice(n * Frame, Frame);
            for (var i = 0; i < Frame; i++)
            {
                payload[i] = alaw ? G711.EncodeAlaw(chunk[i]) : G711.EncodeUlaw(chunk[i]);
            }

            file.Write(packet);
        }
    }

    private static ushort IpChecksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
