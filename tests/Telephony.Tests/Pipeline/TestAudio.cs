using CallCenter.Telephony.Media;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Pipeline;

/// <summary>Test clips from /work/shared as a telephone would carry them: 8 kHz, through G.711 µ-law.</summary>
internal static class TestAudio
{
    public static string Clip(string name) => Path.Combine(TestEnvironment.SharedDirectory, "audio", name);

    public static string Reference(string name) => Path.Combine(TestEnvironment.SharedDirectory, "whisper-reference", name);

    /// <summary>Reads a 16 kHz WAV, low-passes below 3.6 kHz, decimates to 8 kHz and round-trips every sample through µ-law.</summary>
    public static short[] Telephone(string path)
    {
        var audio = CallCenter.Telephony.Transcription.Audio.WavReader.Read(path);
        audio.SampleRate.ShouldBe(16000);
        var x = audio.Samples;
        // 31-tap windowed-sinc low-pass (cut-off 3.6 kHz at 16 kHz), so decimation does not fold noise into the band.
        const int taps = 31;
        var h = new double[taps];
        var sum = 0.0;
        for (var i = 0; i < taps; i++)
        {
            var n = i - (taps / 2);
            var fc = 3600.0 / 16000;
            var sinc = n == 0 ? 2 * fc : Math.Sin(2 * Math.PI * fc * n) / (Math.PI * n);
            h[i] = sinc * (0.54 - (0.46 * Math.Cos(2 * Math.PI * i / (taps - 1))));
            sum += h[i];
        }

        var output = new short[x.Length / 2];
        for (var o = 0; o < output.Length; o++)
        {
            double acc = 0;
            for (var i = 0; i < taps; i++)
            {
                var k = (2 * o) + i - (taps / 2);
                if (k >= 0 && k < x.Length)
                {
                    acc += x[k] * h[i] / sum;
                }
            }

            var sample = (short)Math.Clamp(acc * 32767, short.MinValue, short.MaxValue);
            output[o] = G711.DecodeUlaw(G711.EncodeUlaw(sample));
        }

        return output;
    }

    /// <summary>Steady line noise (seeded, so runs repeat) at about <paramref name="dbfs"/>.</summary>
    public static short[] Noise(int samples, double dbfs, int seed)
    {
        var random = new Random(seed);
        var amplitude = 32768 * Math.Pow(10, dbfs / 20) * Math.Sqrt(3);
        var noise = new short[samples];
        for (var i = 0; i < samples; i++)
        {
            noise[i] = (short)((random.NextDouble() * 2 - 1) * amplitude);
        }

        return noise;
    }

    public static short[] Concat(params short[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Adds noise under speech (saturating), as a line would.</summary>
    public static short[] Mix(short[] speech, short[] noise)
    {
        var mixed = new short[speech.Length];
        for (var i = 0; i < speech.Length; i++)
        {
            mixed[i] = (short)Math.Clamp(speech[i] + noise[i % noise.Length], short.MinValue, short.MaxValue);
        }

        return mixed;
    }

    /// <summary>Feeds audio in 20 ms packets, as the RTP path does.</summary>
    public static void Packets(short[] pcm, long startSample, Action<long, short[]> packet)
    {
        for (var at = 0; at < pcm.Length; at += 160)
        {
            packet(startSample + at, pcm[at..Math.Min(pcm.Length, at + 160)]);
        }
    }
}
