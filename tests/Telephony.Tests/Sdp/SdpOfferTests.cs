using System.Net;
using System.Text;
using CallCenter.Telephony.Sdp;

namespace CallCenter.Telephony.Tests.Sdp;

public sealed class SdpOfferTests
{
    [Fact]
    public void OurOfferListsPcmuPcmaAndDigitsAndParsesBack()
    {
        var offer = SdpNegotiator.WriteOffer(IPAddress.Loopback, 30000, 42);
        var text = Encoding.ASCII.GetString(offer);
        text.ShouldContain("m=audio 30000 RTP/AVP 0 8 101\r\n");
        text.ShouldContain("a=sendrecv\r\n");
        SdpSession.TryParse(offer, out var session, out _).ShouldBeTrue();
        SdpNegotiator.TryAnswer(session, out var agreement, out _).ShouldBeTrue();
        agreement.Codec.ShouldBe(AudioCodec.Pcmu);
        agreement.TelephoneEventPayloadType.ShouldBe(101);
        agreement.RemoteMedia.ShouldBe(new IPEndPoint(IPAddress.Loopback, 30000));
    }

    [Fact]
    public void AnAnswerThatChoseALawIsReadAsALaw()
    {
        var answer = "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40002 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"u8;
        SdpSession.TryParse(answer, out var session, out _).ShouldBeTrue();
        SdpNegotiator.TryReadAnswer(session, out var agreement, out _).ShouldBeTrue();
        agreement.Codec.ShouldBe(AudioCodec.Pcma);
        agreement.RemoteMedia.Port.ShouldBe(40002);
    }
}
