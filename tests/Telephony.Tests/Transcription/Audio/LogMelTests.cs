using CallCenter.Telephony.Transcription.Audio;
using CallCenter.Telephony.Transcription.Ggml;

namespace CallCenter.Telephony.Tests.Transcription.Audio;

/// <summary>The front end against Whisper's definition (whisper.cpp's log_mel_spectrogram).</summary>
[Collection(WhisperModels.Name)]
public sealed class LogMelTests(ModelCache models)
{
    private LogMel Mel() => new(models.Get(Reference.Micro).File.MelFilters, 80);

    [Fact]
    public void FrameCountsFollowWhisperCppPadding()
    {
        var mel = Mel().Compute(new float[72303]);

        // (n + 30 s of zeros + 2·200 − 400) / 160 frames; content frames = 1 + (n + 200 − 400) / 160
        mel.Length.ShouldBe((72303 + 480000) / 160);
        mel.ContentFrames.ShouldBe(451);
        mel.Data.Length.ShouldBe(80 * mel.Length);
    }

    [Fact]
    public void AReusedBufferHoldsExactlyTheValuesOfAFreshComputation()
    {
        // a live stream computes each utterance into the previous one's buffer: a longer, dirty one here
        var mel = Mel();
        var shortClip = Enumerable.Range(0, 2 * 16000).Select(i => 0.4f * MathF.Sin(2 * MathF.PI * (200 + i / 100f) * i / 16000f)).ToArray();
        var longClip = Enumerable.Range(0, 5 * 16000).Select(i => 0.2f * MathF.Cos(2 * MathF.PI * 700 * i / 16000f)).ToArray();
        var fresh = mel.Compute(shortClip);
        var buffer = mel.Compute(longClip).Data;

        var reused = mel.Compute(shortClip, buffer);

        reused.Data.ShouldBeSameAs(buffer);
        (reused.Length, reused.ContentFrames).ShouldBe((fresh.Length, fresh.ContentFrames));
        reused.Data.AsSpan(0, 80 * reused.Length).SequenceEqual(fresh.Data).ShouldBeTrue();

        // too small a buffer is not used
        mel.Compute(longClip, new float[10]).Data.Length.ShouldBe(80 * ((5 * 16000 + 480000) / 160));
    }

    [Fact]
    public void ValuesAreClampedToEightBelowTheMaximumAndScaled()
    {
        var samples = Enumerable.Range(0, 16000).Select(i => 0.3f * MathF.Sin(2 * MathF.PI * 440 * i / 16000f)).ToArray();
        var mel = Mel().Compute(samples);
        var max = mel.Data.Max();
        var min = mel.Data.Min();
        (max - min).ShouldBe(2.0f, 1e-4f); // 8 decades / 4
        mel.Data[(mel.Length - 1)].ShouldBe(min); // silent padding sits on the floor
    }

    [Fact]
    public void ASineLightsTheMelBandOfItsFrequency()
    {
        var filters = models.Get(Reference.Micro).File.MelFilters;
        foreach (var hz in new[] { 300f, 1000f, 3000f })
        {
            var samples = Enumerable.Range(0, 16000).Select(i => 0.5f * MathF.Sin(2 * MathF.PI * hz * i / 16000f)).ToArray();
            var mel = new LogMel(filters, 80).Compute(samples);
            var frame = 50;
            var loudest = Enumerable.Range(0, 80).MaxBy(m => mel.Data[m * mel.Length + frame]);

            // the band whose filter peaks at the tone's FFT bin (40 Hz per bin for n_fft 400 at 16 kHz)
            var bin = (int)MathF.Round(hz / 40f);
            var expected = Enumerable.Range(0, 80).MaxBy(m => filters[m * 201 + bin]);
            Math.Abs(loudest - expected).ShouldBeLessThanOrEqualTo(1, $"{hz} Hz");
        }
    }
}
