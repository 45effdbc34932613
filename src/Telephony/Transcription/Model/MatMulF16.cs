using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CallCenter.Telephony.Transcription.Model;

/// <summary>
/// C = A · Wᵀ (+ bias) with W held as f16 bits (half the memory and memory traffic of float32).
/// Many rows (encoder): each tile of W is widened to float32 once and reused by every row of the tile.
/// Few rows (decoder, one token at a time): W is widened in registers as it streams through.
/// </summary>
internal static unsafe class MatMulF16
{
    // Below this many multiply-adds a parallel loop costs more than it saves, worst on a loaded machine.
    private const long ParallelThreshold = 1 << 21;

    public static void Run(int threads, float* a, int lda, ushort* w, int ldw, float* c, int ldc, int m, int n, int k, float* bias)
    {
        if ((long)m * n * k < ParallelThreshold)
        {
            threads = 1;
        }

        var rowsMode = m <= 4;
        var mTile = rowsMode ? m : 64;
        var mTiles = (m + mTile - 1) / mTile;
        var nTile = rowsMode ? 64 : Math.Clamp(32768 / Math.Max(k, 1), 16, 256) & ~1;
        var nTiles = (n + nTile - 1) / nTile;
        var total = mTiles * nTiles;
        if (threads <= 1 || total == 1)
        {
            for (var t = 0; t < total; t++)
            {
                Tile(t, mTiles, mTile, nTile, a, lda, w, ldw, c, ldc, m, n, k, bias, rowsMode);
            }

            return;
        }

        var (pa, pw, pc, pb) = ((nint)a, (nint)w, (nint)c, (nint)bias);
        Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            Tile(t, mTiles, mTile, nTile, (float*)pa, lda, (ushort*)pw, ldw, (float*)pc, ldc, m, n, k, (float*)pb, rowsMode));
    }

    private static void Tile(int t, int mTiles, int mTile, int nTile, float* a, int lda, ushort* w, int ldw, float* c, int ldc, int m, int n, int k, float* bias, bool rowsMode)
    {
        var m0 = t % mTiles * mTile;
        var n0 = t / mTiles * nTile;
        var m1 = Math.Min(m, m0 + mTile);
        var n1 = Math.Min(n, n0 + nTile);
        if (rowsMode)
        {
            for (var i = m0; i < m1; i++)
            {
                var j = n0;
                if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
                {
                    for (; j + 4 <= n1; j += 4)
                    {
                        Kernel1x4Avx512(a + (long)i * lda, w + (long)j * ldw, ldw, k, c + (long)i * ldc + j);
                    }
                }
                else if (Avx2.IsSupported && Fma.IsSupported)
                {
                    for (; j + 4 <= n1; j += 4)
                    {
                        Kernel1x4(a + (long)i * lda, w + (long)j * ldw, ldw, k, c + (long)i * ldc + j);
                    }
                }

                for (; j < n1; j++)
                {
                    c[(long)i * ldc + j] = Dot(a + (long)i * lda, w + (long)j * ldw, k);
                }
            }

            AddBias(c, ldc, bias, m0, m1, n0, n1);
            return;
        }

        // widen this tile's weights once, then run the float32 kernels over every row block
        var rows = n1 - n0;
        var scratch = ArrayPool<float>.Shared.Rent(rows * k);
        try
        {
            fixed (float* s = scratch)
            {
                for (var r = 0; r < rows; r++)
                {
                    Widen(w + (long)(n0 + r) * ldw, s + (long)r * k, k);
                }

                MatMul.Run(1, a + (long)m0 * lda, lda, s, k, c + (long)m0 * ldc + n0, ldc, m1 - m0, rows, k, bias == null ? null : bias + n0);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static void AddBias(float* c, int ldc, float* bias, int m0, int m1, int n0, int n1)
    {
        if (bias == null)
        {
            return;
        }

        for (var i = m0; i < m1; i++)
        {
            for (var j = n0; j < n1; j++)
            {
                c[(long)i * ldc + j] += bias[j];
            }
        }
    }

    /// <summary>f16 bits to float32, eight at a time with AVX2 (exact for finite values), scalar otherwise.</summary>
    public static void Widen(ushort* src, float* dst, int count)
    {
        var i = 0;
        if (Avx2.IsSupported)
        {
            for (; i + 8 <= count; i += 8)
            {
                Avx.Store(dst + i, Load8(src + i));
            }
        }

        for (; i < count; i++)
        {
            dst[i] = (float)BitConverter.UInt16BitsToHalf(src[i]);
        }
    }

    // sign to bit 31, exponent+mantissa shifted into place, then ×2^112 re-biases the exponent (and
    // normalises f16 subnormals); infinities/NaN do not occur in weights.
    internal static Vector256<float> Load8(ushort* p)
    {
        var h = Avx2.ConvertToVector256Int32(Sse2.LoadVector128(p)).AsUInt32();
        var sign = Avx2.ShiftLeftLogical(h & Vector256.Create(0x8000u), 16);
        var magnitude = Avx2.ShiftLeftLogical(h & Vector256.Create(0x7FFFu), 13).AsSingle() * Vector256.Create(5.192296858534828e33f);
        return (magnitude.AsUInt32() | sign).AsSingle();
    }

    private static Vector512<float> Load16(ushort* p)
    {
        var h = Avx512F.ConvertToVector512UInt32(Avx.LoadVector256(p));
        var sign = Avx512F.ShiftLeftLogical(h & Vector512.Create(0x8000u), 16);
        var magnitude = Avx512F.ShiftLeftLogical(h & Vector512.Create(0x7FFFu), 13).AsSingle() * Vector512.Create(5.192296858534828e33f);
        return (magnitude.AsUInt32() | sign).AsSingle();
    }

    // The decoder's one-token products stream every weight once: sixteen lanes halve the widening work.
    private static void Kernel1x4Avx512(float* a, ushort* w, int ldw, int k, float* c)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        ushort* w0 = w, w1 = w + ldw, w2 = w + 2 * ldw, w3 = w + 3 * ldw;
        var p = 0;
        for (; p + 16 <= k; p += 16)
        {
            var x = Avx512F.LoadVector512(a + p);
            c0 = Avx512F.FusedMultiplyAdd(x, Load16(w0 + p), c0);
            c1 = Avx512F.FusedMultiplyAdd(x, Load16(w1 + p), c1);
            c2 = Avx512F.FusedMultiplyAdd(x, Load16(w2 + p), c2);
            c3 = Avx512F.FusedMultiplyAdd(x, Load16(w3 + p), c3);
        }

        float s0 = Vector512.Sum(c0), s1 = Vector512.Sum(c1), s2 = Vector512.Sum(c2), s3 = Vector512.Sum(c3);
        for (; p < k; p++)
        {
            var x = a[p];
            s0 += x * (float)BitConverter.UInt16BitsToHalf(w0[p]);
            s1 += x * (float)BitConverter.UInt16BitsToHalf(w1[p]);
            s2 += x * (float)BitConverter.UInt16BitsToHalf(w2[p]);
            s3 += x * (float)BitConverter.UInt16BitsToHalf(w3[p]);
        }

        c[0] = s0;
        c[1] = s1;
        c[2] = s2;
        c[3] = s3;
    }

    private static void Kernel1x4(float* a, ushort* w, int ldw, int k, float* c)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        ushort* w0 = w, w1 = w + ldw, w2 = w + 2 * ldw, w3 = w + 3 * ldw;
        var p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var x = Avx.LoadVector256(a + p);
            c0 = Fma.MultiplyAdd(x, Load8(w0 + p), c0);
            c1 = Fma.MultiplyAdd(x, Load8(w1 + p), c1);
            c2 = Fma.MultiplyAdd(x, Load8(w2 + p), c2);
            c3 = Fma.MultiplyAdd(x, Load8(w3 + p), c3);
        }

        float s0 = Vector256.Sum(c0), s1 = Vector256.Sum(c1), s2 = Vector256.Sum(c2), s3 = Vector256.Sum(c3);
        for (; p < k; p++)
        {
            s0 += a[p] * (float)BitConverter.UInt16BitsToHalf(w0[p]);
            s1 += a[p] * (float)BitConverter.UInt16BitsToHalf(w1[p]);
            s2 += a[p] * (float)BitConverter.UInt16BitsToHalf(w2[p]);
            s3 += a[p] * (float)BitConverter.UInt16BitsToHalf(w3[p]);
        }

        c[0] = s0;
        c[1] = s1;
        c[2] = s2;
        c[3] = s3;
    }

    private static float Dot(float* a, ushort* w, int k)
    {
        var s = 0f;
        for (var p = 0; p < k; p++)
        {
            s += a[p] * (float)BitConverter.UInt16BitsToHalf(w[p]);
        }

        return s;
    }
}
