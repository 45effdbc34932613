using System.Numerics;

namespace CallCenter.Telephony.Transcription.Model;

/// <summary>Element-wise and row operations, written to match ggml's CPU arithmetic where it matters.</summary>
internal static unsafe class Ops
{
    private const float LayerNormEps = 1e-5f;

    // ggml evaluates GELU through a table indexed by the f16 bits of the input, returning an f16 value.
    private static readonly float[] GeluTable = BuildGeluTable();

    private static float[] BuildGeluTable()
    {
        var table = new float[65536];
        const float sqrt2OverPi = 0.79788456080286535587989211986876f;
        for (var i = 0; i < table.Length; i++)
        {
            var x = (float)BitConverter.UInt16BitsToHalf((ushort)i);
            var y = 0.5f * x * (1.0f + MathF.Tanh(sqrt2OverPi * x * (1.0f + 0.044715f * x * x)));
            table[i] = (float)(Half)y;
        }

        return table;
    }

    public static void Gelu(float* x, long n)
    {
        fixed (float* table = GeluTable)
        {
            for (long i = 0; i < n; i++)
            {
                var v = x[i];
                x[i] = v <= -10f ? 0f : v >= 10f ? v : table[BitConverter.HalfToUInt16Bits((Half)v)];
            }
        }
    }

    /// <summary>y = (x - mean) / sqrt(var + eps) * w + b per row of length d (ggml_norm then mul and add).</summary>
    public static void LayerNorm(float* x, float* y, int rows, int d, float[] w, float[] b)
    {
        fixed (float* pw = w, pb = b)
        {
            for (var r = 0; r < rows; r++)
            {
                var xr = x + (long)r * d;
                var yr = y + (long)r * d;
                double sum = 0;
                for (var i = 0; i < d; i++)
                {
                    sum += xr[i];
                }

                var mean = (float)(sum / d);
                double sq = 0;
                for (var i = 0; i < d; i++)
                {
                    var v = xr[i] - mean;
                    yr[i] = v;
                    sq += v * v;
                }

                var scale = 1.0f / MathF.Sqrt((float)(sq / d) + LayerNormEps);
                for (var i = 0; i < d; i++)
                {
                    yr[i] = yr[i] * scale * pw[i] + pb[i];
                }
            }
        }
    }

    /// <summary>In-place softmax of one row of scores, scaled first, the sum accumulated in double like ggml.</summary>
    public static void Softmax(float* x, int n, float scale)
    {
        var row = new Span<float>(x, n);
        if (scale != 1f)
        {
            VectorMath.Multiply(row, scale);
        }

        var sum = VectorMath.ExpInPlace(row, VectorMath.Max(row));
        VectorMath.Multiply(row, (float)(1.0 / sum));
    }

    public static void Add(float* dst, float* src, long n)
    {
        long i = 0;
        var width = Vector<float>.Count;
        for (; i + width <= n; i += width)
        {
            (Vector.Load(dst + i) + Vector.Load(src + i)).Store(dst + i);
        }

        for (; i < n; i++)
        {
            dst[i] += src[i];
        }
    }

    public static void Scale(float* x, long n, float s)
    {
        for (long i = 0; i < n; i++)
        {
            x[i] *= s;
        }
    }

    /// <summary>
    /// Rounds to the nearest f16 value (ties to even), as ggml does to activations that meet f16 weights
    /// and to K/V caches. Bit arithmetic on the float keeps it vectorisable: normal values round the
    /// mantissa to 10 bits; values below f16's normal range snap to its subnormal grid (2^-24) by
    /// adding and removing 0.5, which makes float addition do the rounding.
    /// </summary>
    public static void RoundToHalf(float* x, long n)
    {
        var ux = (uint*)x;
        long i = 0;
        var width = Vector<uint>.Count;
        var one = new Vector<uint>(1);
        var bias = new Vector<uint>(0xFFF);
        var mask = new Vector<uint>(~0x1FFFu);
        var absMask = new Vector<uint>(0x7FFFFFFFu);
        var minNormal = new Vector<uint>(0x38800000u); // 2^-14
        var half = new Vector<float>(0.5f);
        for (; i + width <= n; i += width)
        {
            var v = Vector.Load(ux + i);
            var abs = v & absMask;
            var normal = (v + bias + ((v >> 13) & one)) & mask;
            var tiny = Vector.AsVectorUInt32(Vector.AsVectorSingle(abs) + half - half) | (v & ~absMask);
            Vector.ConditionalSelect(Vector.LessThan(abs, minNormal), tiny, normal).Store(ux + i);
        }

        for (; i < n; i++)
        {
            x[i] = (float)(Half)x[i];
        }
    }
}
