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
    internal const long ParallelThreshold = 1 << 21;

    // One-token products split into just one block per thread, so they pay off sooner (the decoder's MLP).
    private const long RowsParallelThreshold = 1 << 19;

    // Longest activation row pre-scaled on the stack (Whisper's widest is 4·d = 5120 for large).
    private const int MaxScaledRow = 8192;

    private const float F16Rebias = 5.192296858534828e33f; // 2^112

    public static void Run(int threads, float* a, int lda, ushort* w, int ldw, float* c, int ldc, int m, int n, int k, float* bias)
    {
        var rowsMode = m <= 4;
        if ((long)m * n * k < (rowsMode ? RowsParallelThreshold : ParallelThreshold))
        {
            threads = 1;
        }

        if (rowsMode)
        {
            // one token: each thread takes one contiguous block of output columns (one parallel call, not
            // hundreds of tiles), so both cores stream their half of the weights without sharing an index.
            if (threads <= 1 || n < 64)
            {
                Rows(a, lda, w, ldw, c, ldc, m, 0, n, k, bias);
                return;
            }

            RowsParallel(threads, a, lda, w, ldw, c, ldc, m, n, k, bias);
            return;
        }

        const int mTile = TileRows;
        var mTiles = (m + mTile - 1) / mTile;
        var nTile = TileColumns(k);
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

    // The parallel loops live in their own methods: a lambda's captured parameters would otherwise make every
    // call allocate its closure on entry, even the decoder's many single-threaded ones.
    private static void RowsParallel(int threads, float* a, int lda, ushort* w, int ldw, float* c, int ldc, int m, int n, int k, float* bias)
    {
        var chunk = ((n + threads - 1) / threads + 7) & ~7;
        var (qa, qw, qc, qb) = ((nint)a, (nint)w, (nint)c, (nint)bias);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            Rows((float*)qa, lda, (ushort*)qw, ldw, (float*)qc, ldc, m, Math.Min(n, t * chunk), Math.Min(n, (t + 1) * chunk), k, (float*)qb));
    }

    private static void TilesParallel(int threads, int total, int mTiles, int mTile, int nTile, float* a, int lda, ushort* w, int ldw, float* c, int ldc, int m, int n, int k, float* bias)
    {
        var (pa, pw, pc, pb) = ((nint)a, (nint)w, (nint)c, (nint)bias);
        Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            Tile(t, mTiles, mTile, nTile, (float*)pa, lda, (ushort*)pw, ldw, (float*)pc, ldc, m, n, k, (float*)pb));
    }

    /// <summary>Rows of A per tile of the many-rows product.</summary>
    internal const int TileRows = 64;

    /// <summary>Weight rows per tile, so a widened tile (columns × k floats) stays near 128 KB, in L2.</summary>
    internal static int TileColumns(int k) => Math.Clamp(32768 / Math.Max(k, 1), 16, 256) & ~1;

    /// <summary>Floats of scratch one tile of depth k widens its weights into.</summary>
    internal static int TileScratch(int k) => TileColumns(k) * k;

    // Few rows (decoder): output columns n0..n1 of every row, weights widened in registers as they stream.
    internal static void Rows(float* a, int lda, ushort* w, int ldw, float* c, int ldc, int m, int n0, int n1, int k, float* bias)
    {
        float* scaled = null;
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated && k <= MaxScaledRow)
        {
            var buffer = stackalloc float[k];
            scaled = buffer;
        }

        for (var i = 0; i < m; i++)
        {
            var ai = a + (long)i * lda;
            var ci = c + (long)i * ldc;
            var j = n0;
            if (scaled != null)
            {
                // the row times 2^112 once, so each 16 weights skip the widening's re-bias multiply
                for (var p = 0; p < k; p++)
                {
                    scaled[p] = ai[p] * F16Rebias;
                }

                for (; j < n1; j++)
                {
                    ci[j] = DotAvx512(ai, scaled, w + (long)j * ldw, k);
                }
            }

            if (Avx2.IsSupported && Fma.IsSupported)
            {
                for (; j < n1; j++)
                {
                    ci[j] = DotAvx2(ai, w + (long)j * ldw, k);
                }
            }

            for (; j < n1; j++)
            {
                ci[j] = Dot(ai, w + (long)j * ldw, k);
            }
        }

        AddBias(c, ldc, bias, 0, m, n0, n1);
    }

    private static void Tile(int t, int mTiles, int mTile, int nTile, float* a, int lda, ushort* w, int ldw, float* c, int ldc, int m, int n, int k, float* bias)
    {
        var scratch = ArrayPool<float>.Shared.Rent(nTile * k);
        try
        {
            fixed (float* s = scratch)
            {
                Tile(t, mTiles, mTile, nTile, a, lda, w, ldw, c, ldc, m, n, k, bias, s);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>Tile t of the many-rows product, its weights widened into <paramref name="scratch"/> (TileScratch(k) floats).</summary>
    internal static void Tile(int t, int mTiles, int mTile, int nTile, float* a, int lda, ushort* w, int ldw, float* c, int ldc, int m, int n, int k, float* bias, float* scratch)
    {
        var m0 = t % mTiles * mTile;
        var n0 = t / mTiles * nTile;
        var m1 = Math.Min(m, m0 + mTile);
        var n1 = Math.Min(n, n0 + nTile);
        // widen this tile's weights once, then run the float32 kernels over every row block
        var rows = n1 - n0;
        for (var r = 0; r < rows; r++)
        {
            Widen(w + (long)(n0 + r) * ldw, scratch + (long)r * k, k);
        }

        MatMul.Run(1, a + (long)m0 * lda, lda, scratch, k, c + (long)m0 * ldc + n0, ldc, m1 - m0, rows, k, bias == null ? null : bias + n0);
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

    // Sign-extending the 16 bits and shifting left by 13 puts exponent+mantissa at bits 27..13 and keeps
    // the sign at bit 31; clearing the sign copies in bits 30..28 and multiplying by 2^112 re-biases the
    // exponent (and normalises f16 subnormals) with the sign carried through: exact for finite values
    // (infinities/NaN do not occur in weights). One operation fewer than masking the sign separately.
    internal static Vector256<float> Load8(ushort* p)
    {
        var bits = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((short*)p), 13) & Vector256.Create(unchecked((int)0x8FFFE000));
        return bits.AsSingle() * Vector256.Create(5.192296858534828e33f);
    }

    // Load16 without the final ×2^112: the f16 value times 2^-112, exactly (f16 normals land on float32
    // normals, f16 subnormals on float32 subnormals, which FMA takes exactly).
    private static Vector512<float> Load16Raw(ushort* p) =>
        (Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(Avx.LoadVector256((short*)p)), 13) & Vector512.Create(unchecked((int)0x8FFFE000))).AsSingle();

    internal static Vector512<float> Load16(ushort* p)
    {
        var bits = Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(Avx.LoadVector256((short*)p)), 13) & Vector512.Create(unchecked((int)0x8FFFE000));
        return bits.AsSingle() * Vector512.Create(5.192296858534828e33f);
    }

    // The decoder's one-token products stream every weight once, so they are bound by how fast the weights
    // arrive. One weight row at a time, rows back to back, is one sequential stream the hardware prefetcher
    // follows: on Zen 4 that measured 3× faster (tiny's vocabulary, 40 MB: 2.2 ms against 6.2 ms on one core)
    // than interleaving 4 or 8 adjacent rows to share loads of the hidden vector, which stays in L1 anyway.
    // The vector comes pre-multiplied by 2^112 (`scaled`) and the weights without it: (x·2^112)·(w·2^-112) is
    // exactly x·w inside the FMA (x is rounded to f16 first: |x| ≤ 65504, x·2^112 is finite). One accumulator
    // per row keeps the sum's order, so results do not depend on the block a thread was given.
    private static float DotAvx512(float* a, float* scaled, ushort* w, int k)
    {
        Vector512<float> acc = default;
        var p = 0;
        for (; p + 16 <= k; p += 16)
        {
            acc = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(scaled + p), Load16Raw(w + p), acc);
        }

        var sum = Vector512.Sum(acc);
        for (; p < k; p++)
        {
            sum += a[p] * (float)BitConverter.UInt16BitsToHalf(w[p]);
        }

        return sum;
    }

    private static float DotAvx2(float* a, ushort* w, int k)
    {
        Vector256<float> acc = default;
        var p = 0;
        for (; p + 8 <= k; p += 8)
        {
            acc = Fma.MultiplyAdd(Avx.LoadVector256(a + p), Load8(w + p), acc);
        }

        var sum = Vector256.Sum(acc);
        for (; p < k; p++)
        {
            sum += a[p] * (float)BitConverter.UInt16BitsToHalf(w[p]);
        }

        return sum;
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
