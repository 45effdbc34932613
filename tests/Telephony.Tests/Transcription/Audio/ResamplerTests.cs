using CallCenter.Telephony.Transcription.Audio;

namespace CallCenter.Telephony.Tests.Transcription.Audio;

/// <summary>8 → 16 kHz: the passband keeps its level, the 4–8 kHz image is filtered out.</summary>
public sealed class ResamplerTests
{
    private static double Power(float[] x, double hz, int rate, int from, int to)
    {
        // Goertzel-free: correlate with sine and cosine over the steady middle
        double re = 0, im = 0;
        for (var i = from; i < to; i++)
        {
            re += x[i] * Math.Cos(2 * Math.PI * hz * i / rate);
            im += x[i] * Math.Sin(2 * Math.PI * hz * i / rate);
        }

        var n = to - from;
        return (re * re + im * im) * 4 / ((double)n * n);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(1000)]
    [InlineData(3000)]
    public void APassbandToneKeepsItsAmplitudeAndLeavesNoImage(int hz)
    {
        var input = Enumerable.Range(0, 8000).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / 8000))).ToArray();
        var output = Resampler.Upsample8kTo16k(input);
        output.Length.ShouldBe(16000);
        var amplitude = Math.Sqrt(Power(output, hz, 16000, 2000, 14000));
        amplitude.ShouldBe(0.5, 0.01);

        // zero-stuffing alone would leave an image of equal size at 8000 − f
        var image = Math.Sqrt(Power(output, 8000 - hz, 16000, 2000, 14000));
        (image / amplitude).ShouldBeLessThan(0.01); // below −40 dB
    }

    [Fact]
    public void SixteenKilohertzAudioPassesThroughUnchanged()
    {
        var samples = new[] { 0.1f, 0.2f };
        Resampler.To16k(new PcmAudio(samples, 16000)).ShouldBeSameAs(samples);
    }
}
