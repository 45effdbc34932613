using System.Runtime.Intrinsics;

namespace CallCenter.Telephony.Transcription.Model;

public sealed unsafe partial class WhisperState
{
    /// <summary>
    /// Feeds <paramref name="tokens"/> at positions nPast… through the decoder, appending their keys and
    /// values to the self-attention cache, and leaves the next-token logits of the last one in <see cref="Logits"/>.
    /// </summary>
    public void Decode(ReadOnlySpan<int> tokens, int nPast)
    {
        var hp = model.HParams;
        var m = tokens.Length;
        if (m == 0 || nPast < 0 || nPast + m > hp.NTextCtx)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), $"{m} tokens after {nPast} do not fit the text context of {hp.NTextCtx}");
        }

        if (m > decoderRows)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), "too many tokens in one batch");
        }

        if (encodedCtx == 0)
        {
            throw new InvalidOperationException("Encode must run before Decode");
        }

        var px = X;
        var emb = model.TokenEmbedding;
        fixed (float* pos = model.DecoderPositions, e32 = emb.W32)
        fixed (ushort* e16 = emb.W16)
        {
            for (var i = 0; i < m; i++)
            {
                var id = tokens[i];
                if ((uint)id >= (uint)hp.NVocab)
                {
                    throw new ArgumentOutOfRangeException(nameof(tokens), $"token id {id} is outside the vocabulary");
                }

                var row = px + (long)i * d;
                if (e16 != null)
                {
                    MatMulF16.Widen(e16 + (long)id * d, row, d);
                }
                else
                {
                    new ReadOnlySpan<float>(e32 + (long)id * d, d).CopyTo(new Span<float>(row, d));
                }

                Ops.Add(row, pos + (long)(nPast + i) * d, d);
            }
        }

        var times = StageTimes;
        var t0 = times?.Now() ?? 0;
        times?.Mark(DecoderStage.Embed, ref t0);
        var heads = hp.NTextHead;
        var scale = MathF.Pow((float)d / heads, -0.25f);
        float* pc = Cur, pq = DecQ, pk = DecK, pv = DecV, pa = DecAttn;
        for (var l = 0; l < model.Decoder.Length; l++)
        {
            var layer = model.Decoder[l];

            // self-attention over the cache, causal
            Ops.LayerNorm(px, pc, m, d, layer.AttnLn.W, layer.AttnLn.B);
            times?.Mark(DecoderStage.LayerNorm, ref t0);
            Linear(layer.Attn.Q, pc, m, pq);
            Ops.Scale(pq, (long)m * d, scale);
            Linear(layer.Attn.K, pc, m, pk);
            Ops.Scale(pk, (long)m * d, scale);
            Linear(layer.Attn.V, pc, m, pv);
            times?.Mark(DecoderStage.SelfProjections, ref t0);
            var sk = P(selfK[l]);
            var sv = P(selfV[l]);
            ToHalf(pk, sk + (long)nPast * d, (long)m * d);
            ToHalf(pv, sv + (long)nPast * d, (long)m * d);
            Ops.RoundToHalf(pq, (long)m * d);
            DecoderAttention(pq, (nint)sk, false, (nint)sv, m, heads, nPast + 1, causal: true);
            times?.Mark(DecoderStage.SelfAttention, ref t0);
            Linear(layer.Attn.O, pa, m, pc);
            times?.Mark(DecoderStage.SelfProjections, ref t0);
            Ops.Add(px, pc, (long)m * d);
            times?.Mark(DecoderStage.Elementwise, ref t0);

            // cross-attention over the encoded window
            Ops.LayerNorm(px, pc, m, d, layer.CrossLn.W, layer.CrossLn.B);
            times?.Mark(DecoderStage.LayerNorm, ref t0);
            Linear(layer.Cross.Q, pc, m, pq);
            Ops.Scale(pq, (long)m * d, scale);
            Ops.RoundToHalf(pq, (long)m * d);
            times?.Mark(DecoderStage.CrossProjections, ref t0);
            var n = encodedCtx;
            DecoderAttention(pq, (nint)P(crossK[l]), true, (nint)P(crossV[l]), m, heads, n, causal: false);
            times?.Mark(DecoderStage.CrossAttention, ref t0);
            Linear(layer.Cross.O, pa, m, pc);
            times?.Mark(DecoderStage.CrossProjections, ref t0);
            Ops.Add(px, pc, (long)m * d);
            times?.Mark(DecoderStage.Elementwise, ref t0);

            // MLP
            Ops.LayerNorm(px, pc, m, d, layer.MlpLn.W, layer.MlpLn.B);
            times?.Mark(DecoderStage.LayerNorm, ref t0);
            var pm = DecMlp;
            Linear(layer.Mlp0, pc, m, pm);
            times?.Mark(DecoderStage.Mlp, ref t0);
            Ops.Gelu(pm, (long)m * 4 * d);
            times?.Mark(DecoderStage.Elementwise, ref t0);
            Linear(layer.Mlp2, pm, m, pc);
            times?.Mark(DecoderStage.Mlp, ref t0);
            Ops.Add(px, pc, (long)m * d);
            times?.Mark(DecoderStage.Elementwise, ref t0);
        }

        // Only the last token's logits are needed.
        var last = px + (long)(m - 1) * d;
        Ops.LayerNorm(last, pc, 1, d, model.DecoderLn.W, model.DecoderLn.B);
        times?.Mark(DecoderStage.LayerNorm, ref t0);
        Linear(model.TokenEmbedding, pc, 1, P(logits));
        times?.Mark(DecoderStage.Vocabulary, ref t0);
    }

    // keys/values: f16 bits (ggml keeps both caches as f16: half the memory and traffic); values [position][d],
    // keys the same or, for the cross-attention, transposed ([channel][position], row stride nAudioCtx).
    // Row i sees `visible` keys, plus i more when causal.
    private void DecoderAttention(float* pq, nint keys, bool keysTransposed, nint values, int m, int heads, int visible, bool causal)
    {
        var dh = d / heads;
        var job = headsJob;
        job.Q = pq;
        job.Keys = (ushort*)keys;
        job.Values = (ushort*)values;
        job.KeysTransposed = keysTransposed;
        job.Heads = heads;
        for (var i = 0; i < m; i++)
        {
            job.Row = i;
            job.Visible = causal ? visible + i : visible;

            // one contiguous group of heads per thread: one parallel region per layer, not one per head
            var parts = Threads > 1 && (long)job.Visible * dh * heads >= 1 << 17 ? Math.Min(Threads, heads) : 1;
            fork.Run(job, parts);
        }

        job.Q = null;
        job.Keys = null;
        job.Values = null;
        Ops.RoundToHalf(DecAttn, (long)m * d);
    }

    // scores = K_h · q, softmax, then the probability-weighted sum of V_h
    private void AttentionHead(HeadsJob job, int h)
    {
        var dh = d / job.Heads;
        var nkv = job.Visible;
        var s = P(decScores) + (long)h * (decScores.Length / job.Heads);
        var qv = job.Q + (long)job.Row * d + h * dh;
        var o = DecAttn + (long)job.Row * d + h * dh;
        if (job.KeysTransposed)
        {
            ScoresTransposed(qv, job.Keys + (long)h * dh * nAudioCtx, nAudioCtx, nkv, dh, s);
        }
        else
        {
            MatMulF16.Run(1, qv, dh, job.Keys + h * dh, d, s, nkv, 1, nkv, dh, null);
        }

        Ops.Softmax(s, nkv, 1f);
        Ops.RoundToHalf(s, nkv);
        WeightedSumF16(s, job.Values + h * dh, d, nkv, o, dh);
    }

    /// <summary>
    /// s[j] = Σ_e q[e] · kt[e·ld + j], along the head's rows of Kᵀ four at a time: four sequential streams the
    /// prefetcher follows, and s (n floats) stays in L1. Walking down 64 rows for each block of keys instead
    /// measured several times slower. Every s[j] is the same FMA chain over e = 0, 1, … whichever path runs.
    /// </summary>
    private static void ScoresTransposed(float* q, ushort* kt, int ld, int n, int dh, float* s)
    {
        new Span<float>(s, n).Clear();
        var e = 0;
        for (; e + 4 <= dh; e += 4)
        {
            ScoreRows(q + e, kt + (long)e * ld, ld, 4, n, s);
        }

        if (e < dh)
        {
            ScoreRows(q + e, kt + (long)e * ld, ld, dh - e, n, s);
        }
    }

    // s[j] = fma(q[rows-1], kt[rows-1][j], … fma(q[0], kt[0][j], s[j])), for 1 to 4 rows
    private static void ScoreRows(float* q, ushort* kt, int ld, int rows, int n, float* s)
    {
        var j = 0;
        if (rows == 4 && System.Runtime.Intrinsics.X86.Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
        {
            Vector512<float> q0 = Vector512.Create(q[0]), q1 = Vector512.Create(q[1]), q2 = Vector512.Create(q[2]), q3 = Vector512.Create(q[3]);
            ushort* r0 = kt, r1 = kt + ld, r2 = kt + 2L * ld, r3 = kt + 3L * ld;
            for (; j + 16 <= n; j += 16)
            {
                var acc = Vector512.Load(s + j);
                acc = Vector512.FusedMultiplyAdd(q0, MatMulF16.Load16(r0 + j), acc);
                acc = Vector512.FusedMultiplyAdd(q1, MatMulF16.Load16(r1 + j), acc);
                acc = Vector512.FusedMultiplyAdd(q2, MatMulF16.Load16(r2 + j), acc);
                acc = Vector512.FusedMultiplyAdd(q3, MatMulF16.Load16(r3 + j), acc);
                acc.Store(s + j);
            }
        }
        else if (rows == 4 && System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            Vector256<float> q0 = Vector256.Create(q[0]), q1 = Vector256.Create(q[1]), q2 = Vector256.Create(q[2]), q3 = Vector256.Create(q[3]);
            ushort* r0 = kt, r1 = kt + ld, r2 = kt + 2L * ld, r3 = kt + 3L * ld;
            for (; j + 8 <= n; j += 8)
            {
                var acc = Vector256.Load(s + j);
                acc = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(q0, MatMulF16.Load8(r0 + j), acc);
                acc = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(q1, MatMulF16.Load8(r1 + j), acc);
                acc = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(q2, MatMulF16.Load8(r2 + j), acc);
                acc = System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(q3, MatMulF16.Load8(r3 + j), acc);
                acc.Store(s + j);
            }
        }

        for (; j < n; j++)
        {
            var sum = s[j];
            for (var e = 0; e < rows; e++)
            {
                sum = MathF.FusedMultiplyAdd(q[e], (float)BitConverter.UInt16BitsToHalf(kt[(long)e * ld + j]), sum);
            }

            s[j] = sum;
        }
    }

    /// <summary>o = Σ_j p[j] · v[j·stride …] over f16 values, a whole head (or 32 lanes) per pass over the keys.</summary>
    private static void WeightedSumF16(float* p, ushort* v, int stride, int n, float* o, int dh)
    {
        var e = 0;
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported && Vector512.IsHardwareAccelerated)
        {
            // a 64-wide head in one pass over the keys (Whisper's heads are 64 wide)
            for (; e + 64 <= dh; e += 64)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                var col = v + e;
                for (var j = 0; j < n; j++)
                {
                    var pj = Vector512.Create(p[j]);
                    var r = col + (long)j * stride;
                    a0 = Vector512.FusedMultiplyAdd(pj, MatMulF16.Load16(r), a0);
                    a1 = Vector512.FusedMultiplyAdd(pj, MatMulF16.Load16(r + 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(pj, MatMulF16.Load16(r + 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(pj, MatMulF16.Load16(r + 48), a3);
                }

                a0.Store(o + e);
                a1.Store(o + e + 16);
                a2.Store(o + e + 32);
                a3.Store(o + e + 48);
            }
        }

        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            for (; e + 32 <= dh; e += 32)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                var col = v + e;
                for (var j = 0; j < n; j++)
                {
                    var pj = Vector256.Create(p[j]);
                    var r = col + (long)j * stride;
                    a0 += pj * MatMulF16.Load8(r);
                    a1 += pj * MatMulF16.Load8(r + 8);
                    a2 += pj * MatMulF16.Load8(r + 16);
                    a3 += pj * MatMulF16.Load8(r + 24);
                }

                a0.Store(o + e);
                a1.Store(o + e + 8);
                a2.Store(o + e + 16);
                a3.Store(o + e + 24);
            }
        }

        for (; e < dh; e++)
        {
            var sum = 0f;
            for (var j = 0; j < n; j++)
            {
                sum += p[j] * (float)BitConverter.UInt16BitsToHalf(v[(long)j * stride + e]);
            }

            o[e] = sum;
        }
    }
}
