using System.Numerics;
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

        if (m > nAudioCtx)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), "too many tokens in one batch");
        }

        if (encodedCtx == 0)
        {
            throw new InvalidOperationException("Encode must run before Decode");
        }

        var px = P(x);
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

        var heads = hp.NTextHead;
        var scale = MathF.Pow((float)d / heads, -0.25f);
        float* pc = P(cur), pq = P(q), pk = P(k), pv = P(v), pa = P(attn);
        for (var l = 0; l < model.Decoder.Length; l++)
        {
            var layer = model.Decoder[l];

            // self-attention over the cache, causal
            Ops.LayerNorm(px, pc, m, d, layer.AttnLn.W, layer.AttnLn.B);
            Linear(layer.Attn.Q, pc, m, pq);
            Ops.Scale(pq, (long)m * d, scale);
            Linear(layer.Attn.K, pc, m, pk);
            Ops.Scale(pk, (long)m * d, scale);
            Linear(layer.Attn.V, pc, m, pv);
            Ops.RoundToHalf(pk, (long)m * d);
            Ops.RoundToHalf(pv, (long)m * d);
            var sk = P(selfK[l]);
            var sv = P(selfV[l]);
            Buffer.MemoryCopy(pk, sk + (long)nPast * d, (long)m * d * 4, (long)m * d * 4);
            Buffer.MemoryCopy(pv, sv + (long)nPast * d, (long)m * d * 4, (long)m * d * 4);
            Ops.RoundToHalf(pq, (long)m * d);
            DecoderAttention(pq, (nint)sk, (nint)sv, false, m, heads, i => nPast + i + 1);
            Linear(layer.Attn.O, pa, m, pc);
            Ops.Add(px, pc, (long)m * d);

            // cross-attention over the encoded window
            Ops.LayerNorm(px, pc, m, d, layer.CrossLn.W, layer.CrossLn.B);
            Linear(layer.Cross.Q, pc, m, pq);
            Ops.Scale(pq, (long)m * d, scale);
            Ops.RoundToHalf(pq, (long)m * d);
            var n = encodedCtx;
            DecoderAttention(pq, (nint)P(crossK[l]), (nint)P(crossV[l]), true, m, heads, _ => n);
            Linear(layer.Cross.O, pa, m, pc);
            Ops.Add(px, pc, (long)m * d);

            // MLP
            Ops.LayerNorm(px, pc, m, d, layer.MlpLn.W, layer.MlpLn.B);
            var pm = P(mlp);
            Linear(layer.Mlp0, pc, m, pm);
            Ops.Gelu(pm, (long)m * 4 * d);
            Linear(layer.Mlp2, pm, m, pc);
            Ops.Add(px, pc, (long)m * d);
        }

        // Only the last token's logits are needed.
        var last = px + (long)(m - 1) * d;
        Ops.LayerNorm(last, pc, 1, d, model.DecoderLn.W, model.DecoderLn.B);
        Linear(model.TokenEmbedding, pc, 1, P(logits));
    }

    // keys/values: float32 (self-attention cache) or f16 bits (cross-attention), [position][d]
    private void DecoderAttention(float* pq, nint keys, nint values, bool f16, int m, int heads, Func<int, int> visible)
    {
        var dh = d / heads;
        var stride = decScores.Length / heads;
        var pa = (nint)P(attn);
        var ps = (nint)P(decScores);
        var (qa, ka, va) = ((nint)pq, keys, values);
        for (var i = 0; i < m; i++)
        {
            var nkv = visible(i);
            var row = i;
            void Head(int h)
            {
                // scores = K_h · q (4 keys per kernel step), softmax, then the probability-weighted sum of V_h
                var s = (float*)ps + (long)h * stride;
                var qv = (float*)qa + (long)row * d + h * dh;
                var o = (float*)pa + (long)row * d + h * dh;
                if (f16)
                {
                    MatMulF16.Run(1, qv, dh, (ushort*)ka + h * dh, d, s, nkv, 1, nkv, dh, null);
                }
                else
                {
                    MatMul.Run(1, qv, dh, (float*)ka + h * dh, d, s, nkv, 1, nkv, dh, null);
                }

                Ops.Softmax(s, nkv, 1f);
                Ops.RoundToHalf(s, nkv);
                if (f16)
                {
                    WeightedSumF16(s, (ushort*)va + h * dh, d, nkv, o, dh);
                }
                else
                {
                    WeightedSum(s, (float*)va + h * dh, d, nkv, o, dh);
                }
            }

            if (Threads > 1 && (long)nkv * dh * heads >= 1 << 20)
            {
                Parallel.For(0, heads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, Head);
            }
            else
            {
                for (var h = 0; h < heads; h++)
                {
                    Head(h);
                }
            }
        }

        Ops.RoundToHalf((float*)pa, (long)m * d);
    }

    /// <summary>o = Σ_j p[j] · v[j·stride …], eight output lanes per register, 32 at a time.</summary>
    private static void WeightedSum(float* p, float* v, int stride, int n, float* o, int dh)
    {
        var e = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; e + 32 <= dh; e += 32)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                var col = v + e;
                for (var j = 0; j < n; j++)
                {
                    var pj = Vector256.Create(p[j]);
                    var r = col + (long)j * stride;
                    a0 += pj * Vector256.Load(r);
                    a1 += pj * Vector256.Load(r + 8);
                    a2 += pj * Vector256.Load(r + 16);
                    a3 += pj * Vector256.Load(r + 24);
                }

                a0.Store(o + e);
                a1.Store(o + e + 8);
                a2.Store(o + e + 16);
                a3.Store(o + e + 24);
            }
        }

        if (e < dh)
        {
            new Span<float>(o + e, dh - e).Clear();
            for (var j = 0; j < n; j++)
            {
                Axpy(p[j], v + (long)j * stride + e, o + e, dh - e);
            }
        }
    }

    private static void WeightedSumF16(float* p, ushort* v, int stride, int n, float* o, int dh)
    {
        var e = 0;
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

    private static void Axpy(float a, float* xs, float* y, int n)
    {
        var i = 0;
        var width = Vector<float>.Count;
        var va = new Vector<float>(a);
        for (; i + width <= n; i += width)
        {
            (Vector.Load(y + i) + va * Vector.Load(xs + i)).Store(y + i);
        }

        for (; i < n; i++)
        {
            y[i] += a * xs[i];
        }
    }
}
