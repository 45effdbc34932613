using System.Net;
using System.Text;
using CallCenter.Telephony.Sdp;

namespace CallCenter.Telephony.Tests.Sdp;

public sealed class SdpNegotiatorTests
{
    private static SdpSession Parse(string sdp)
    {
        SdpSession.TryParse(Encoding.ASCII.GetBytes(sdp.ReplaceLineEndings("\r\n")), out var s, out var error).ShouldBeTrue(error);
        return s;
    }

    private const string Head = "v=0\no=- 1 1 IN IP4 192.0.2.7\ns=-\nc=IN IP4 192.0.2.7\nt=0 0\n";

    [Fact]
    public void TheFirstG711CodecInTheOffersOrderWinsAndTelephoneEventIsEchoed()
    {
        var offer = Parse(Head + "m=audio 4000 RTP/AVP 18 8 0 96\na=rtpmap:18 G729/8000\na=rtpmap:96 telephone-event/8000\n");

        SdpNegotiator.TryAnswer(offer, out var a, out _).ShouldBeTrue();

        a.Codec.ShouldBe(AudioCodec.Pcma);
        a.TelephoneEventPayloadType.ShouldBe(96);
        a.RemoteMedia.ShouldBe(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 4000));
        var answer = Encoding.ASCII.GetString(SdpNegotiator.WriteAnswer(a, IPAddress.Loopback, 20002, 42));
        answer.ShouldContain("m=audio 20002 RTP/AVP 8 96\r\n");
        answer.ShouldContain("a=rtpmap:96 telephone-event/8000\r\n");
        answer.ShouldContain("c=IN IP4 127.0.0.1\r\n");
    }

    [Fact]
    public void MediaLevelConnectionOverridesTheSessionLevel()
    {
        var offer = Parse(Head + "m=audio 4000 RTP/AVP 0\nc=IN IP4 198.51.100.9\n");

        SdpNegotiator.TryAnswer(offer, out var a, out _).ShouldBeTrue();

        a.Codec.ShouldBe(AudioCodec.Pcmu);
        a.RemoteMedia.Address.ShouldBe(IPAddress.Parse("198.51.100.9"));
    }

    [Theory]
    [InlineData("m=audio 4000 RTP/AVP 18\na=rtpmap:18 G729/8000\n")]   // no G.711
    [InlineData("m=video 4000 RTP/AVP 31\n")]                         // no audio
    [InlineData("m=audio 0 RTP/AVP 0\n")]                             // rejected stream
    [InlineData("m=audio 4000 RTP/SAVP 0\n")]                         // SRTP not offered by us
    public void AnOfferWithoutUsableAudioFails(string media)
    {
        SdpNegotiator.TryAnswer(Parse(Head + media), out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\n")]                       // no m=
    [InlineData("v=0\nc=IN IP4 999.1.1.1\nm=audio 4000 RTP/AVP 0\n")]             // bad address
    [InlineData("v=0\nc=IN IP4 1.2.3.4\nm=audio 99999999999 RTP/AVP 0\n")]         // bad port
    [InlineData("hello\n")]
    [InlineData("")]
    public void MalformedSdpIsRejectedWithAReason(string sdp)
    {
        SdpSession.TryParse(Encoding.ASCII.GetBytes(sdp), out _, out var error).ShouldBeFalse();
        error.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void MoreThanTenMediaLinesIsRejected()
    {
        var sdp = Head + string.Concat(Enumerable.Repeat("m=audio 4000 RTP/AVP 0\n", 11));
        SdpSession.TryParse(Encoding.ASCII.GetBytes(sdp), out _, out var error).ShouldBeFalse();
        error.ShouldContain("m=");
    }
}
