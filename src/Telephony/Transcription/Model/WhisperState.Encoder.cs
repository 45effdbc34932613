namespace CallCenter.Telephony.Transcription.Model;

public sealed unsafe partial class WhisperState
{
    /// <summary>
    /// Runs the encoder on mel frames [offset, offset + 2·audioCtx) of <paramref name="mel"/> (n_mels rows of
    /// <paramref name="melLength"/> frames; frames past the end read as zero, as in whisper.cpp) and
    /// prepares the decoder's cross-attention keys and values.
    /// </summary>
    public void Encode(ReadOnlySpan<float> mel, int melLength, int offset = 0, int audioCtx = 0)
    {
        var hp = model.HParams;
        var n = audioCtx <= 0 ? nAudioCtx : Math.Min(audioCtx, nAudioCtx);
        var frames = 2 * n;
        var nMels = hp.NMels;
        if (mel.Length < nMels * melLength)
        {
            throw new ArgumentException($"mel holds {mel.Length} values, fewer than {nMels} x {melLength}", nameof(mel));
        }

        // conv1 (kernel 3, padding 1) as im2col + matmul; ggml's im2col output is f16.
        var cols = Q; // conv1's output takes x and cur (2n frames)
        fixed (float* pMel = mel)
        {
            var w1 = 3 * nMels;
            for (var t = 0; t < frames; t++)
            {
                var row = cols + (long)t * w1;
                for (var c = 0; c < nMels; c++)
                {
                    for (var kk = 0; kk < 3; kk++)
                    {
                        var s = t + kk - 1;
                        var src = offset + s;
                        row[c * 3 + kk] = s < 0 || s >= frames || src >= melLength ? 0f : pMel[(long)c * melLength + src];
                    }
                }
            }
        }

        var c1 = X;
        Linear(model.Conv1, cols, frames, c1);
        Ops.Gelu(c1, (long)frames * d);

        // conv2 (kernel 3, stride 2, padding 1): im2col (n × 3·d) in Q+K+V, output over conv1's, which is read by then
        var cols2 = Q;
        var w2 = 3 * d;
        for (var t = 0; t < n; t++)
        {
            var row = cols2 + (long)t * w2;
            for (var kk = 0; kk < 3; kk++)
            {
                var s = 2 * t + kk - 1;
                for (var c = 0; c < d; c++)
                {
                    row[c * 3 + kk] = s < 0 || s >= frames ? 0f : c1[(long)s * d + c];
                }
            }
        }

        var px = X;
        Linear(model.Conv2, cols2, n, px);
        Ops.Gelu(px, (long)n * d);
        fixed (float* pos = model.EncoderPositions)
        {
            Ops.Add(px, pos, (long)n * d);
        }

        var heads = hp.NAudioHead;
        foreach (var layer in model.Encoder)
        {
            var pc = Cur;
            Ops.LayerNorm(px, pc, n, d, layer.AttnLn.W, layer.AttnLn.B);
            Linear(layer.Attn.Q, pc, n, Q);
            Linear(layer.Attn.K, pc, n, K);
            Linear(layer.Attn.V, pc, n, V);
            EncoderAttention(n, heads); // output in V
            Linear(layer.Attn.O, V, n, pc);
            Ops.Add(px, pc, (long)n * d);

            // MLP in blocks of rows whose 4·d hidden values fit in Q+K+V; each block's output replaces its
            // (consumed) input rows in cur. Blocks are whole 64-row tiles, so every value is computed as in one pass.
            Ops.LayerNorm(px, pc, n, d, layer.MlpLn.W, layer.MlpLn.B);
            var pm = Q;
            var block = MlpBlockRows(n);
            for (var r0 = 0; r0 < n; r0 += block)
            {
                var rows = Math.Min(block, n - r0);
                Linear(layer.Mlp0, pc + (long)r0 * d, rows, pm);
                Ops.Gelu(pm, (long)rows * 4 * d);
                Linear(layer.Mlp2, pm, rows, pc + (long)r0 * d);
            }

            Ops.Add(px, pc, (long)n * d);
        }

        var enc = Cur;
        Ops.LayerNorm(px, enc, n, d, model.EncoderLnPost.W, model.EncoderLnPost.B);

        // Cross-attention K/V for every decoder layer; K pre-scaled by dh^-1/4 and both stored as f16, like whisper.cpp.
        var scale = MathF.Pow((float)d / hp.NTextHead, -0.25f);
        for (var l = 0; l < model.Decoder.Length; l++)
        {
            var layer = model.Decoder[l];
            float* ck = Q, cv = K;
            Linear(layer.Cross.K, enc, n, ck);
            Ops.Scale(ck, (long)n * d, scale);
            Linear(layer.Cross.V, enc, n, cv);
            ToHalfTransposed(ck, P(crossK[l]), n, d, nAudioCtx);
            ToHalf(cv, P(crossV[l]), (long)n * d);
        }

        encodedCtx = n;
    }

    private static void ToHalf(float* src, ushort* dst, long count)
    {
        for (long i = 0; i < count; i++)
        {
            dst[i] = BitConverter.HalfToUInt16Bits((Half)src[i]);
        }
    }

    // dst[c·ld + t] = f16(src[t·d + c]): the decoder scores 16 keys per vector along a row of Kᵀ, with no
    // horizontal sum per key.
    private static void ToHalfTransposed(float* src, ushort* dst, int n, int d, int ld)
    {
        for (var t = 0; t < n; t++)
        {
            var row = src + (long)t * d;
            for (var c = 0; c < d; c++)
            {
                dst[(long)c * ld + t] = BitConverter.HalfToUInt16Bits((Half)row[c]);
            }
        }
    }

    // Softmax(Q·Kᵀ/√dh)·V per head, written over V. Q and K are read in place (a head is a column slice, row
    // stride d); V is transposed per head into cur ([head][dh][t]), which is free while attention runs.
    private void EncoderAttention(int n, int heads)
    {
        var dh = d / heads;
        float* pv = V, pvt = Cur;
        for (var t = 0; t < n; t++)
        {
            for (var h = 0; h < heads; h++)
            {
                for (var e = 0; e < dh; e++)
                {
                    pvt[((long)h * dh + e) * n + t] = pv[(long)t * d + h * dh + e];
                }
            }
        }

        Ops.RoundToHalf(Q, (long)n * d);
        Ops.RoundToHalf(K, (long)n * d);
        Ops.RoundToHalf(pvt, (long)n * d);

        var job = attentionJob;
        (job.N, job.Heads) = (n, heads);
        var blocks = (n + AttentionRowBlock - 1) / AttentionRowBlock;
        fork.Run(job, heads * blocks);
    }

    // Rows r0… (up to 32) of head h: scores against every key, softmax, then the weighted sum of Vᵀ into V's rows.
    private void EncoderAttentionBlock(int h, int r0, int n, int heads, int worker)
    {
        var dh = d / heads;
        var rows = Math.Min(AttentionRowBlock, n - r0);
        var s = P(attentionScores) + (long)worker * AttentionRowBlock * nAudioCtx;
        MatMul.Run(1, Q + (long)r0 * d + h * dh, d, K + h * dh, d, s, n, rows, n, dh, null);
        var scale = 1f / MathF.Sqrt(dh);
        for (var r = 0; r < rows; r++)
        {
            Ops.Softmax(s + (long)r * n, n, scale);
        }

        Ops.RoundToHalf(s, (long)rows * n);
        MatMul.Run(1, s, n, Cur + (long)h * dh * n, n, V + (long)r0 * d + h * dh, d, rows, dh, n, null);
    }

    // Rows per MLP block: as many whole 64-row tiles as fit 4·d hidden values each from Q to the end of the block.
    private int MlpBlockRows(int n)
    {
        var fit = (int)((work.LongLength - 2 * region) / (4L * d));
        return Math.Min(n, fit >= 64 ? fit / 64 * 64 : fit);
    }
}
