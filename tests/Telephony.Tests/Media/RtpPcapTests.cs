using CallCenter.Telephony.Media;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Media;

/// <summary>The test-speech pcaps the call tests give sipp: espeak-ng Mandarin written as G.711 RTP.</summary>
public sealed class RtpPcapTests
{
    [Fact]
    public void MandarinSpeechWrittenAsAlawRtpReadsBackAsTheSameSamplesIn20MsPackets()
    {
        var speech = SpeechAudio.Mandarin("您好，请问有什么可以帮您？");
        speech.Length.ShouldBeGreaterThan(8000, "espeak-ng says the sentence in more than a second");
        speech.Max(s => Math.Abs((int)s)).ShouldBeGreaterThan(2000, "it is speech, not silence");
        var path = Path.Combine(Path.GetTempPath(), "rtp-pcap-" + Guid.NewGuid().ToString("N")[..8] + ".pcap");
        try
        {
            RtpPcap.Write(path, speech, alaw: true);

            var packets = PcapReader.ReadRtp(path);
            packets.Count.ShouldBe(speech.Length / 160);
            packets.ShouldAllBe(p => p.PayloadType == 8 && p.Payload.Length == 160);
            packets.Select(p => (int)p.Sequence).ShouldBe(Enumerable.Range(0, packets.Count));
            packets[1].Timestamp.ShouldBe(160u);
            var decoded = packets.SelectMany(p => p.Payload).Select(G711.DecodeAlaw).ToArray();
            var expected = speech.AsSpan(0, decoded.Length).ToArray().Select(s => G711.DecodeAlaw(G711.EncodeAlaw(s)));
            decoded.ShouldBe(expected);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
