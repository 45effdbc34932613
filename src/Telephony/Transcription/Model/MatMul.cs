using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CallCenter.Telephony.Transcription.Model;

/// <summary>
/// C = A · Wᵀ (+ bias): A is M×K activations, W is N×K weights, both with K contiguous, which is how
/// ggml stores linear layers. Register-blocked 4×2 AVX2/FMA micro-kernel, a Vector&lt;T&gt; path for other CPUs,
/// and tiles spread over the given number of threads. No allocation inside.
/// </summary>
internal static unsafe class MatMul
{
    // Below this many multiply-adds a parallel loop costs more than it saves, worst on a loaded machine.
    private const long ParallelThreshold = 1 << 21;

    public static void Run(int threads, float* a, int lda, float* w, int ldw, float* c, int ldc, int m, int n, int k, float* bias)
    {
        if ((long)m * n * k < ParallelThreshold)
        {
            threads = 1;
        }

        // Tiles: rows in blocks of 64; columns sized so a tile of W stays in L2 and every thread gets work.
        var mTile = m <= 4 ? m : 64;
        var mTiles = (m + mTile - 1) / mTile;
        var nTile = Math.Clamp(65536 / Math.Max(k, 1), 16, 512) & ~1;
        while (mTiles * ((n + nTile - 1) / nTile) < threads * 4 && nTile > 16)
        {
            nTile = Math.Max(16, (nTile / 2) & ~1);
        }

        var nTiles = (n + nTile - 1) / nTile;
        var total = mTiles * nTiles;
        if (threads <= 1 || total == 1)
        {
            for (var t = 0; t < total; t++)
            {
                Tile(t, mTiles, mTile, nTile, a, lda, w, ldw, c, ldc, m, n, k, bias);
            }

            return;
        }

        TilesParallel(threads, total, mTiles, mTile, nTile, a, lda, w, ldw, c, ldc, m, n, k, bias);
    }

    // In its own method: the lambda's captured parameters would otherwise allocate a closure on every call,
    // including the encoder attention's many single-threaded ones.
    private static void TilesParallel(int threads, int total, int mTiles, int mTile, int nTile, float* a, int lda, float* w, int ldw, float* c, int ldc, int m, int n, int k, float* bias)
    {
        var (pa, pw, pc, pb) = ((nint)a, (nint)w, (nint)c, (nint)bias);
        Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            Tile(t, mTiles, mTile, nTile, (float*)pa, lda, (float*)pw, ldw, (float*)pc, ldc, m, n, k, (float*)pb));
    }

    private static void Tile(int t, int mTiles, int mTile, int nTile, float* a, int lda, float* w, int ldw, float* c, int ldc, int m, int n, int k, float* bias)
    {
        var m0 = t % mTiles * mTile;
        var n0 = t / mTiles * nTile;
        var m1 = Math.Min(m, m0 + mTile);
        var n1 = Math.Min(n, n0 + nTile);
        var fast = Fma.IsSupported && Avx.IsSupported;
        var i = m0;
        if (fast)
        {
            for (; i + 4 <= m1; i += 4)
            {
                var j = n0;
                for (; j + 2 <= n1; j += 2)
                {
                    Kernel4x2(a + (long)i * lda, lda, w + (long)j * ldw, ldw, k, c + (long)i * ldc + j, ldc);
                }

                for (; j < n1; j++)
                {
                    for (var r = 0; r < 4; r++)
                    {
                        c[(long)(i + r) * ldc + j] = Dot(a + (long)(i + r) * lda, w + (long)j * ldw, k);
                    }
                }
            }
        }

        for (; i < m1; i++)
        {
            var j = n0;
            if (fast)
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

        if (bias != null)
        {
            for (i = m0; i < m1; i++)
            {
                var row = c + (long)i * ldc;
                for (var j = n0; j < n1; j++)
                {
                    row[j] += bias[j];
                }
            }
        }
    }

    private static void Kernel4x2(float* a, int lda, float* w, int ldw, int k, float* c, int ldc)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default,
            c20 = default, c21 = default, c30 = default, c31 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, w0 = w, w1 = w + ldw;
        var p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var v0 = Avx.LoadVector256(w0 + p);
            var v1 = Avx.LoadVector256(w1 + p);
            var x = Avx.LoadVector256(a0 + p);
            c00 = Fma.MultiplyAdd(x, v0, c00);
            c01 = Fma.MultiplyAdd(x, v1, c01);
            x = Avx.LoadVector256(a1 + p);
            c10 = Fma.MultiplyAdd(x, v0, c10);
            c11 = Fma.MultiplyAdd(x, v1, c11);
            x = Avx.LoadVector256(a2 + p);
            c20 = Fma.MultiplyAdd(x, v0, c20);
            c21 = Fma.MultiplyAdd(x, v1, c21);
            x = Avx.LoadVector256(a3 + p);
            c30 = Fma.MultiplyAdd(x, v0, c30);
            c31 = Fma.MultiplyAdd(x, v1, c31);
        }

        float s00 = Vector256.Sum(c00), s01 = Vector256.Sum(c01), s10 = Vector256.Sum(c10), s11 = Vector256.Sum(c11),
            s20 = Vector256.Sum(c20), s21 = Vector256.Sum(c21), s30 = Vector256.Sum(c30), s31 = Vector256.Sum(c31);
        for (; p < k; p++)
        {
            s00 += a0[p] * w0[p];
            s01 += a0[p] * w1[p];
            s10 += a1[p] * w0[p];
            s11 += a1[p] * w1[p];
            s20 += a2[p] * w0[p];
            s21 += a2[p] * w1[p];
            s30 += a3[p] * w0[p];
            s31 += a3[p] * w1[p];
        }

        c[0] = s00;
        c[1] = s01;
        c[ldc] = s10;
        c[ldc + 1] = s11;
        c[2 * ldc] = s20;
        c[2 * ldc + 1] = s21;
        c[3 * ldc] = s30;
        c[3 * ldc + 1] = s31;
    }

    private static void Kernel1x4(float* a, float* w, int ldw, int k, float* c)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        float* w0 = w, w1 = w + ldw, w2 = w + 2 * ldw, w3 = w + 3 * ldw;
        var p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var x = Avx.LoadVector256(a + p);
            c0 = Fma.MultiplyAdd(x, Avx.LoadVector256(w0 + p), c0);
            c1 = Fma.MultiplyAdd(x, Avx.LoadVector256(w1 + p), c1);
            c2 = Fma.MultiplyAdd(x, Avx.LoadVector256(w2 + p), c2);
            c3 = Fma.MultiplyAdd(x, Avx.LoadVector256(w3 + p), c3);
        }

        float s0 = Vector256.Sum(c0), s1 = Vector256.Sum(c1), s2 = Vector256.Sum(c2), s3 = Vector256.Sum(c3);
        for (; p < k; p++)
        {
            s0 += a[p] * w0[p];
            s1 += a[p] * w1[p];
            s2 += a[p] * w2[p];
            s3 += a[p] * w3[p];
        }

        c[0] = s0;
        c[1] = s1;
        c[2] = s2;
        c[3] = s3;
    }

    /// <summary>Portable dot product (Vector&lt;T&gt; of whatever width the CPU has).</summary>
    public static float Dot(float* x, float* y, int k)
    {
        var p = 0;
        var acc = Vector<float>.Zero;
        var width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; p + width <= k; p += width)
            {
                acc += Vector.Load(x + p) * Vector.Load(y + p);
            }
        }

        var s = Vector.Sum(acc);
        for (; p < k; p++)
        {
            s += x[p] * y[p];
        }

        return s;
    }
}
