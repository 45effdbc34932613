using CallCenter.Telephony.Pipeline;

namespace CallCenter.Telephony.Tests.Pipeline;

/// <summary>The detector on real Mandarin speech and real line noise, carried at 8 kHz through G.711.</summary>
public sealed class VoiceActivityDetectorTests
{
    private static List<SpeechSpan> Detect(short[] pcm, PipelineOptions? options = null)
    {
        var vad = new VoiceActivityDetector(options ?? new PipelineOptions());
        var spans = new List<SpeechSpan>();
        TestAudio.Packets(pcm, 0, (offset, packet) => vad.Process(offset, packet, spans.Add));
        vad.Flush(spans.Add);
        return spans;
    }

    [Fact]
    public void TheReferenceSilenceWithNoiseGivesNoUtterance()
    {
        var noise = TestAudio.Telephone(TestAudio.Reference("silence_noise_3s.wav"));

        Detect(noise).ShouldBeEmpty();
    }

    [Fact]
    public void DigitalSilenceAndSteadyLineNoiseGiveNoUtterance()
    {
        Detect(new short[8000 * 5]).ShouldBeEmpty();
        Detect(TestAudio.Noise(8000 * 10, -35, seed: 1)).ShouldBeEmpty();
    }

    [Fact]
    public void ASpokenSentenceIsOneUtteranceCoveringTheSpeech()
    {
        var speech = TestAudio.Telephone(TestAudio.Clip("zh01_firered_aishell_BAC009S0764W0121.wav"));
        var pcm = TestAudio.Concat(new short[8000], speech, new short[8000]);

        var spans = Detect(pcm);

        spans.Count.ShouldBe(1);
        spans[0].StartSample.ShouldBeLessThan(8000 + 4000);
        spans[0].EndSample.ShouldBeGreaterThan(8000 + speech.Length - 4000);
        spans[0].Cut.ShouldBeFalse();
    }

    [Fact]
    public void TwoSentencesApartInLineNoiseAreTwoUtterancesInOrder()
    {
        var first = TestAudio.Telephone(TestAudio.Clip("zh01_firered_aishell_BAC009S0764W0121.wav"));
        var second = TestAudio.Telephone(TestAudio.Clip("zh06_wenet_nst_ID001.wav"));
        var clean = TestAudio.Concat(new short[16000], first, new short[12000], second, new short[8000]);
        var pcm = TestAudio.Mix(clean, TestAudio.Noise(clean.Length, -45, seed: 2));

        var spans = Detect(pcm);

        spans.Count.ShouldBe(2);
        spans[0].EndSample.ShouldBeLessThanOrEqualTo(spans[1].StartSample);
        spans[1].StartSample.ShouldBeGreaterThan(16000 + first.Length);
    }

    [Fact]
    public void LongSpeechIsCutAtTheCapAndTheNextPieceRepeatsTheOverlap()
    {
        var speech = TestAudio.Telephone(TestAudio.Clip("zh04_firered_wenetspeech_TEST_MEETING_T0000000001_S00000.wav"));
        var options = new PipelineOptions { MaxUtteranceMs = 4000, OverlapMs = 500, EndSilenceMs = 3000 };

        var spans = Detect(TestAudio.Concat(speech, new short[8000 * 4]), options);

        spans.Count.ShouldBeGreaterThan(1);
        spans.ShouldAllBe(s => s.Pcm8k.Length <= 4000 * 8);
        var cut = spans.First(s => s.Cut);
        var next = spans[spans.IndexOf(cut) + 1];
        next.StartSample.ShouldBe(cut.EndSample - (500 * 8));
    }

    [Fact]
    public void AShortClickIsNotAnUtterance()
    {
        var click = TestAudio.Concat(new short[8000], TestAudio.Noise(480, -10, seed: 3), new short[8000]);

        Detect(click).ShouldBeEmpty();
    }

    [Fact]
    public void APacketGapMovesTheTimelineWithoutBreakingDetection()
    {
        var speech = TestAudio.Telephone(TestAudio.Clip("zh01_firered_aishell_BAC009S0764W0121.wav"));
        var vad = new VoiceActivityDetector(new PipelineOptions());
        var spans = new List<SpeechSpan>();
        TestAudio.Packets(new short[8000], 0, (o, p) => vad.Process(o, p, spans.Add));
        // Two seconds of packets never arrived.
        TestAudio.Packets(TestAudio.Concat(speech, new short[8000]), 8000 + 16000, (o, p) => vad.Process(o, p, spans.Add));
        vad.Flush(spans.Add);

        spans.Count.ShouldBe(1);
        spans[0].StartSample.ShouldBeGreaterThanOrEqualTo(8000 + 16000 - 1600);
    }
}
