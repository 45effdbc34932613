namespace CallCenter.Telephony.Transcription.Audio;

/// <summary>
/// 8 kHz → 16 kHz by zero-stuffing and a windowed-sinc low-pass (Blackman window, 3.8 kHz cut-off,
/// 64 taps per output phase), so the 4–8 kHz image of telephone audio is removed rather than aliased.
/// </summary>
public static class Resampler
{
    private const int HalfTaps = 32;
    private const double CutoffHz = 3800;
    private static readonly float[][] Phases = BuildPhases();

    private static float[][] BuildPhases()
    {
        // Prototype filter at 16 kHz, gain 2 (compensates the zero-stuffing), split into its two phases.
        var phases = new[] { new float[2 * HalfTaps], new float[2 * HalfTaps] };
        var fc = CutoffHz / 16000.0;
        var span = 2 * HalfTaps * 2;
        for (var p = 0; p < 2; p++)
        {
            for (var j = 0; j < 2 * HalfTaps; j++)
            {
                // output 2n+p takes input n-j+HalfTaps; tap index in the prototype is 2(j-HalfTaps)+p
                var m = 2 * (j - HalfTaps) + p;
                var sinc = m == 0 ? 2 * fc : Math.Sin(2 * Math.PI * fc * m) / (Math.PI * m);
                var w = 0.42 + 0.5 * Math.Cos(2 * Math.PI * m / span) + 0.08 * Math.Cos(4 * Math.PI * m / span);
                phases[p][j] = (float)(2 * sinc * w);
            }
        }

        return phases;
    }

    public static float[] Upsample8kTo16k(ReadOnlySpan<float> input)
    {
        var output = new float[input.Length * 2];
        for (var n = 0; n < input.Length; n++)
        {
            for (var p = 0; p < 2; p++)
            {
                var taps = Phases[p];
                double sum = 0;
                for (var j = 0; j < taps.Length; j++)
                {
                    var idx = n + HalfTaps - j;
                    if ((uint)idx < (uint)input.Length)
                    {
                        sum += taps[j] * input[idx];
                    }
                }

                output[2 * n + p] = (float)sum;
            }
        }

        return output;
    }

    /// <summary>Returns 16 kHz audio for any audio the WAV reader accepts.</summary>
    public static float[] To16k(PcmAudio audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        return audio.SampleRate switch
        {
            16000 => audio.Samples,
            8000 => Upsample8kTo16k(audio.Samples),
            _ => throw new WavFormatException($"sample rate {audio.SampleRate} Hz is not supported"),
        };
    }
}
