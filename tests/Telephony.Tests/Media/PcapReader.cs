using System.Buffers.Binary;

namespace CallCenter.Telephony.Tests.Media;

/// <summary>Reads RTP packets out of a classic little-endian Ethernet/IPv4/UDP pcap (enough for sipp's samples).</summary>
public static class PcapReader
{
    public sealed record RtpFromPcap(int PayloadType, ushort Sequence, uint Timestamp, byte[] Payload);

    public static List<RtpFromPcap> ReadRtp(string path)
    {
        var d = File.ReadAllBytes(path);
        BinaryPrimitives.ReadUInt32LittleEndian(d).ShouldBe(0xa1b2c3d4u, "little-endian microsecond pcap expected");
        var list = new List<RtpFromPcap>();
        var off = 24;
        while (off + 16 <= d.Length)
        {
            var incl = (int)BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(off + 8));
            var pkt = d.AsSpan(off + 16, incl);
            off += 16 + incl;
            var ip = pkt[14..];
            var udp = ip[((ip[0] & 0x0F) * 4)..];
            var rtp = udp[8..];
            var cc = rtp[0] & 0x0F;
            var header = 12 + (cc * 4);
            list.Add(new RtpFromPcap(rtp[1] & 0x7F, BinaryPrimitives.ReadUInt16BigEndian(rtp[2..]),
                BinaryPrimitives.ReadUInt32BigEndian(rtp[4..]), rtp[header..].ToArray()));
        }

        return list;
    }
}
