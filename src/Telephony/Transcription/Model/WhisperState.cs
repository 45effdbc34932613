using System.Collections.Concurrent;

namespace CallCenter.Telephony.Transcription.Model;

/// <summary>
/// Per-stream working memory of the Whisper network: encoder activations, the cross-attention K/V of the
/// current audio window and the decoder's self-attention K/V cache. The weights stay in the shared
/// <see cref="WhisperModel"/>; a state is used by one stream at a time. Buffers are allocated once
/// (pinned, so kernels use raw pointers) and reused for every window and token.
/// </summary>
public sealed unsafe partial class WhisperState
{
    private const int AttentionRowBlock = 32;

    private readonly WhisperModel model;
    private readonly int d;
    private readonly int nAudioCtx;
    private readonly ConcurrentBag<float[]> scoreBlocks = [];

    // encoder buffers (sized for the full audio context)
    private readonly float[] x;
    private readonly float[] cur;
    private readonly float[] qkva; // Q, K, V and the attention output, n·d each; conv2's im2col (3·n·d) before the first layer
    private readonly float[] mlp; // also holds conv1's output + im2col and the per-head Q/K/Vᵀ copies, which are dead by the MLP
    private readonly long headStride;

    // decoder state
    private readonly ushort[][] crossK; // f16 bits, as whisper.cpp keeps them, transposed: [channel][position], row stride nAudioCtx
    private readonly ushort[][] crossV;
    private readonly ushort[][] selfK; // f16 bits: the values are rounded to f16 anyway
    private readonly ushort[][] selfV;
    private readonly float[] decScores;
    private readonly float[] logits;
    private readonly ForkJoin fork;
    private readonly RowsJob rowsJob = new();
    private readonly HeadsJob headsJob;
    private int encodedCtx;

    public WhisperState(WhisperModel model, int threads = 2)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        this.model = model;
        Threads = threads;
        var hp = model.HParams;
        d = hp.NAudioState;
        nAudioCtx = hp.NAudioCtx;
        var n = nAudioCtx;
        // The convolutions' im2col buffers live in buffers that are free at that point (no separate one):
        // conv1's after conv1's output in mlp, conv2's in the Q/K/V/attention block.
        x = Alloc((long)n * d);
        cur = Alloc((long)n * d);
        qkva = Alloc((long)n * 4 * d);
        mlp = Alloc(Math.Max((long)n * 4 * d, 2L * n * d + 2L * n * 3 * hp.NMels));
        headStride = (long)n * d;
        crossK = Enumerable.Range(0, hp.NTextLayer).Select(_ => GC.AllocateArray<ushort>(n * d, pinned: true)).ToArray();
        crossV = Enumerable.Range(0, hp.NTextLayer).Select(_ => GC.AllocateArray<ushort>(n * d, pinned: true)).ToArray();
        selfK = Enumerable.Range(0, hp.NTextLayer).Select(_ => GC.AllocateArray<ushort>(hp.NTextCtx * d, pinned: true)).ToArray();
        selfV = Enumerable.Range(0, hp.NTextLayer).Select(_ => GC.AllocateArray<ushort>(hp.NTextCtx * d, pinned: true)).ToArray();
        decScores = Alloc((long)hp.NTextHead * Math.Max(n, hp.NTextCtx));
        logits = Alloc(hp.NVocab);
        fork = new ForkJoin(threads);
        headsJob = new HeadsJob(this);
    }

    public int Threads { get; }

    public WhisperModel Model => model;

    /// <summary>Per-stage decoder timings, collected only when a profiler sets this (the bench's --profile).</summary>
    internal DecoderStageTimes? StageTimes { get; set; }

    /// <summary>Logits of the last token of the latest <see cref="Decode"/> call (n_vocab values).</summary>
    public ReadOnlySpan<float> Logits => logits;

    /// <summary>Audio positions of the window encoded last (n_audio_ctx unless a smaller context was asked for).</summary>
    public int EncodedContext => encodedCtx;

    private float* Q => P(qkva);

    private float* K => P(qkva) + headStride;

    private float* V => P(qkva) + 2 * headStride;

    private float* Attn => P(qkva) + 3 * headStride;

    private static float[] Alloc(long n) => GC.AllocateArray<float>(checked((int)n), pinned: true);

    private static ushort* P(ushort[] a) => (ushort*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(a));

    private static float* P(float[] a) => (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(a));

    private void Linear(Linear l, float* input, int m, float* output)
    {
        if (l.RoundInput)
        {
            Ops.RoundToHalf(input, (long)m * l.In);
        }

        if (TryForkRows(l, input, m, output))
        {
            return;
        }

        var bias = l.B is null ? null : P(l.B);
        if (l.W16 is not null)
        {
            fixed (ushort* w = l.W16)
            {
                MatMulF16.Run(Threads, input, l.In, w, l.In, output, l.Out, m, l.Out, l.In, bias);
            }
        }
        else
        {
            MatMul.Run(Threads, input, l.In, P(l.W32!), l.In, output, l.Out, m, l.Out, l.In, bias);
        }
    }

    private float[] RentScores(int length)
    {
        if (scoreBlocks.TryTake(out var block) && block.Length >= length)
        {
            return block;
        }

        return Alloc(length);
    }
}
