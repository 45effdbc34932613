using CallCenter.Telephony.Media;

namespace CallCenter.Telephony.Tests.Media;

public sealed class RtpHeaderTests
{
    private static byte[] Packet(byte first, int length, byte pt = 0)
    {
        var p = new byte[length];
        p[0] = first;
        p[1] = pt;
        return p;
    }

    [Fact]
    public void AValidPacketYieldsItsFieldsAndPayload()
    {
        var buffer = new byte[12 + 160];
        var n = RtpHeader.Write(buffer, true, 8, 513, 160_000, 0xCAFEBABE, new byte[160]);

        RtpHeader.TryParse(buffer.AsSpan(0, n), out var h).ShouldBeTrue();
        h.ShouldBe(new RtpHeader(true, 8, 513, 160_000, 0xCAFEBABE, 12, 160));
    }

    [Theory]
    [InlineData(0x8F, 20)]   // CC = 15 needs 72 header bytes
    [InlineData(0x90, 14)]   // extension header cut short
    [InlineData(0x40, 40)]   // version 1
    [InlineData(0x80, 11)]   // shorter than a header
    public void AMalformedHeaderIsRejected(byte first, int length)
    {
        RtpHeader.TryParse(Packet(first, length), out _).ShouldBeFalse();
    }

    [Fact]
    public void AnExtensionLengthPastTheEndOrPaddingLongerThanThePacketIsRejected()
    {
        var ext = Packet(0x90, 20);
        ext[14] = 0xFF; // extension length 0xFF00 words
        RtpHeader.TryParse(ext, out _).ShouldBeFalse();

        var pad = Packet(0xA0, 20);
        pad[^1] = 200;
        RtpHeader.TryParse(pad, out _).ShouldBeFalse();
    }

    [Fact]
    public void ATelephoneEventEndPacketGivesItsDigit()
    {
        DtmfEvent.TryParse([11, 0x80 | 10, 0x03, 0x20], out var e).ShouldBeTrue();

        e.End.ShouldBeTrue();
        e.Digit.ShouldBe('#');
        e.Duration.ShouldBe(800);
    }
}
