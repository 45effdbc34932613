using System.Numerics;

namespace CallCenter.Telephony.Transcription.Audio;

/// <summary>A log-mel spectrogram: <see cref="NMel"/> rows of <see cref="Length"/> frames (10 ms each).</summary>
public sealed record MelSpectrogram(float[] Data, int NMel, int Length, int ContentFrames);

/// <summary>
/// Whisper's front end as whisper.cpp computes it: 16 kHz input, 400-sample periodic Hann window, hop 160,
/// 30 s of zeros appended and 200 samples reflected at the start, power spectrum through the model's mel
/// filters, log10 clamped at max − 8 and mapped to (x + 4) / 4. Frames past the audio skip the transform.
/// </summary>
public sealed class LogMel
{
    public const int SampleRate = 16000;
    public const int NFft = 400;
    public const int Hop = 160;
    private const int Bins = NFft / 2 + 1;

    private readonly float[] filters;
    private readonly int nMel;
    private readonly float[] hann = new float[NFft];

    // Direct real DFT as two matrices (Bins x NFft): exact enough and vectorises well for n = 400.
    private readonly float[] cos = new float[Bins * NFft];
    private readonly float[] sin = new float[Bins * NFft];

    public LogMel(float[] filters, int nMel)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Length != nMel * Bins)
        {
            throw new ArgumentException($"mel filters must be {nMel} x {Bins}", nameof(filters));
        }

        this.filters = filters;
        this.nMel = nMel;
        for (var i = 0; i < NFft; i++)
        {
            hann[i] = (float)(0.5 * (1.0 - Math.Cos(2.0 * Math.PI * i / NFft)));
        }

        for (var b = 0; b < Bins; b++)
        {
            for (var i = 0; i < NFft; i++)
            {
                var angle = 2.0 * Math.PI * ((long)b * i % NFft) / NFft;
                cos[b * NFft + i] = (float)Math.Cos(angle);
                sin[b * NFft + i] = (float)Math.Sin(angle);
            }
        }
    }

    /// <summary>
    /// The log-mel spectrogram of <paramref name="samples"/> (16 kHz mono) followed by 30 s of silence, as
    /// whisper.cpp pads it. <paramref name="reuse"/>, when given and large enough, receives the values instead
    /// of a new array (a stream transcribing utterance after utterance then makes no garbage here); its
    /// <see cref="MelSpectrogram.Data"/> may then be longer than NMel × Length.
    /// </summary>
    public MelSpectrogram Compute(ReadOnlySpan<float> samples, float[]? reuse = null)
    {
        const int pad = NFft / 2;
        var n = samples.Length;

        // The padded signal is never built: whisper.cpp's 30 s of trailing zeros and its reflection of
        // x[200..1] at the start are read through Padded(), which saves a copy of the audio plus 30 s.
        var nLen = (n + SampleRate * 30) / Hop;
        var content = n + pad;
        var computed = Math.Min(content / Hop + 1, nLen);
        var data = reuse is not null && reuse.Length >= nMel * nLen ? reuse : new float[nMel * nLen];
        var frame = new float[NFft];
        var power = new float[Bins];
        for (var t = 0; t < computed; t++)
        {
            var offset = t * Hop;
            var avail = Math.Min(NFft, content - offset);
            for (var j = 0; j < NFft; j++)
            {
                frame[j] = j < avail ? hann[j] * Padded(samples, offset + j) : 0f;
            }

            for (var b = 0; b < Bins; b++)
            {
                var re = Dot(frame, cos.AsSpan(b * NFft, NFft));
                var im = Dot(frame, sin.AsSpan(b * NFft, NFft));
                power[b] = re * re + im * im;
            }

            for (var m = 0; m < nMel; m++)
            {
                double sum = 0;
                var f = filters.AsSpan(m * Bins, Bins);
                for (var b = 0; b < Bins; b++)
                {
                    sum += power[b] * f[b];
                }

                data[m * nLen + t] = (float)Math.Log10(Math.Max(sum, 1e-10));
            }
        }

        var silent = (float)Math.Log10(1e-10);
        for (var m = 0; m < nMel; m++)
        {
            data.AsSpan(m * nLen + computed, nLen - computed).Fill(silent);
        }

        var max = double.MinValue;
        foreach (var value in data.AsSpan(0, nMel * nLen))
        {
            max = Math.Max(max, value);
        }

        var floor = max - 8.0;
        for (var i = 0; i < nMel * nLen; i++)
        {
            var value = data[i] < floor ? floor : data[i];
            data[i] = (float)((value + 4.0) / 4.0);
        }

        // whisper.cpp's n_len_org: frames that carry audio, used as the end of the stream when seeking
        var contentFrames = 1 + (n + pad - NFft) / Hop;
        return new MelSpectrogram(data, nMel, nLen, Math.Max(contentFrames, 0));
    }

    // Sample q of the padded signal: x[200..1] reflected, then x, then zeros.
    private static float Padded(ReadOnlySpan<float> samples, int q)
    {
        const int pad = NFft / 2;
        if (q < pad)
        {
            var reflected = pad - q;
            return reflected < samples.Length ? samples[reflected] : 0f;
        }

        var i = q - pad;
        return i < samples.Length ? samples[i] : 0f;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var acc = Vector<float>.Zero;
        var i = 0;
        var width = Vector<float>.Count;
        for (; i + width <= a.Length; i += width)
        {
            acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
        }

        var s = Vector.Sum(acc);
        for (; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}
