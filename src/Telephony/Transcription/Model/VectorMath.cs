using System.Numerics;
using System.Runtime.InteropServices;

namespace CallCenter.Telephony.Transcription.Model;

/// <summary>
/// Whole-row passes of the decoder's softmaxes and the logit processor (n_vocab = 51,865 values per step), one
/// hardware vector at a time. -inf entries (masked tokens or keys) weigh nothing, as in whisper.cpp.
/// </summary>
internal static class VectorMath
{
    public static float Max(ReadOnlySpan<float> x)
    {
        var i = 0;
        var max = float.NegativeInfinity;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vmax = new Vector<float>(float.NegativeInfinity);
            foreach (var v in vx)
            {
                vmax = Vector.Max(vmax, v);
            }

            for (var k = 0; k < Vector<float>.Count; k++)
            {
                max = Math.Max(max, vmax[k]);
            }

            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            max = Math.Max(max, x[i]);
        }

        return max;
    }

    /// <summary>Σ exp(x[i] − shift) over the finite entries, in float.</summary>
    public static float SumExp(ReadOnlySpan<float> x, float shift)
    {
        var i = 0;
        var sum = 0f;
        if (Vector.IsHardwareAccelerated)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var acc = Vector<float>.Zero;
            var vs = new Vector<float>(shift);
            var ninf = new Vector<float>(float.NegativeInfinity);
            foreach (var v in vx)
            {
                acc += Vector.ConditionalSelect(Vector.Equals(v, ninf), Vector<float>.Zero, Vector.Exp(v - vs));
            }

            sum = Vector.Sum(acc);
            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            if (x[i] > float.NegativeInfinity)
            {
                sum += MathF.Exp(x[i] - shift);
            }
        }

        return sum;
    }

    /// <summary>x[i] = exp(x[i] − shift) (0 for -inf) in place; returns the sum in double, as ggml's softmax does.</summary>
    public static double ExpInPlace(Span<float> x, float shift)
    {
        var i = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vs = new Vector<float>(shift);
            var ninf = new Vector<float>(float.NegativeInfinity);
            for (var k = 0; k < vx.Length; k++)
            {
                var v = vx[k];
                var e = Vector.ConditionalSelect(Vector.Equals(v, ninf), Vector<float>.Zero, Vector.Exp(v - vs));
                vx[k] = e;
                sum += Vector.Sum(e);
            }

            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            var e = x[i] == float.NegativeInfinity ? 0f : MathF.Exp(x[i] - shift);
            x[i] = e;
            sum += e;
        }

        return sum;
    }

    /// <summary>y[i] = exp(x[i]) (exp(-inf) = 0).</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            var ninf = new Vector<float>(float.NegativeInfinity);
            for (var k = 0; k < vx.Length; k++)
            {
                vy[k] = Vector.ConditionalSelect(Vector.Equals(vx[k], ninf), Vector<float>.Zero, Vector.Exp(vx[k]));
            }

            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            y[i] = x[i] == float.NegativeInfinity ? 0f : MathF.Exp(x[i]);
        }
    }

    /// <summary>y[i] = x[i] − s (-inf stays -inf for finite s).</summary>
    public static void Subtract(ReadOnlySpan<float> x, float s, Span<float> y)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
            var vs = new Vector<float>(s);
            for (var k = 0; k < vx.Length; k++)
            {
                vy[k] = vx[k] - vs;
            }

            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            y[i] = x[i] - s;
        }
    }

    public static void Multiply(Span<float> x, float s)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vs = new Vector<float>(s);
            for (var k = 0; k < vx.Length; k++)
            {
                vx[k] *= vs;
            }

            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            x[i] *= s;
        }
    }

    /// <summary>Index of the first largest value when it is above 0 (probabilities), else 0: what a strict "greater than" scan from 0 finds.</summary>
    public static int ArgMaxPositive(ReadOnlySpan<float> x)
    {
        var max = Max(x);
        return max > 0 ? x.IndexOf(max) : 0;
    }
}
