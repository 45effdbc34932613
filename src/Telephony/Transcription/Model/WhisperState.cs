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

    // One activation block for encoder and decoder, sized for the full audio context: five n·d regions
    // (x, cur, Q, K, V). Every other buffer the encoder needs lives in a region that is dead at that point
    // (conv1's output in x+cur, the im2cols and the MLP's hidden rows in Q+K+V, Vᵀ in cur, the attention
    // output in V), which halves the per-stream memory of a separate buffer for each.
    private readonly float[] work;
    private readonly long region; // n·d
    private readonly int decoderRows; // most tokens one Decode call takes: its Q, K, V, attention and 4·d MLP rows share Q+K+V

    // decoder state
    private readonly ushort[][] crossK; // f16 bits, as whisper.cpp keeps them, transposed: [channel][position], row stride nAudioCtx
    private readonly ushort[][] crossV;
    private readonly ushort[][] selfK; // f16 bits: the values are rounded to f16 anyway
    private readonly ushort[][] selfV;
    private readonly float[] decScores;
    private readonly float[] logits;
    private readonly ForkJoin fork;
    private readonly RowsJob rowsJob = new();
    private readonly TilesJob tilesJob = new();
    private readonly EncoderAttentionJob attentionJob;
    private readonly float[] tileScratch; // per worker: one widened weight tile (TileScratch(k) floats, the widest k)
    private readonly float[] attentionScores; // per worker: 32 query rows × n scores
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
        region = (long)n * d;
        // conv1's im2col (2n frames × 3·n_mels) sits after conv1's output, at Q; only very narrow models need more room
        work = Alloc(Math.Max(5 * region, 2 * region + 2L * n * 3 * hp.NMels));
        decoderRows = Math.Min(hp.NTextCtx, 3 * n / 8);
        crossK = Enumerable.Range(0, hp.NTextLayer).Select(_ => GC.AllocateArray<ushort>(n * d, pinned: true)).ToArray();
        crossV = Enumerable.Range(0, hp.NTextLayer).Select(_ => GC.AllocateArray<ushort>(n * d, pinned: true)).ToArray();
        selfK = Enumerable.Range(0, hp.NTextLayer).Select(_ => GC.AllocateArray<ushort>(hp.NTextCtx * d, pinned: true)).ToArray();
        selfV = Enumerable.Range(0, hp.NTextLayer).Select(_ => GC.AllocateArray<ushort>(hp.NTextCtx * d, pinned: true)).ToArray();
        decScores = Alloc((long)hp.NTextHead * Math.Max(n, hp.NTextCtx));
        logits = Alloc(hp.NVocab);
        fork = new ForkJoin(threads);
        var widest = new[] { 3 * hp.NMels, d, 3 * d, 4 * d }.Max(MatMulF16.TileScratch);
        tileScratch = Alloc((long)threads * widest);
        attentionScores = Alloc((long)threads * AttentionRowBlock * n);
        attentionJob = new EncoderAttentionJob(this);
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

    private float* X => P(work);

    private float* Cur => P(work) + region;

    private float* Q => P(work) + 2 * region;

    private float* K => P(work) + 3 * region;

    private float* V => P(work) + 4 * region;

    // the decoder's rows (at most decoderRows each): Q, K, V, attention output, then the MLP's 4·d hidden rows
    private float* DecQ => Q;

    private float* DecK => Q + (long)decoderRows * d;

    private float* DecV => Q + 2L * decoderRows * d;

    private float* DecAttn => Q + 3L * decoderRows * d;

    private float* DecMlp => Q + 4L * decoderRows * d;

    private static float[] Alloc(long n) => GC.AllocateArray<float>(checked((int)n), pinned: true);

    private static ushort* P(ushort[] a) => (ushort*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(a));

    private static float* P(float[] a) => (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(a));

    private void Linear(Linear l, float* input, int m, float* output)
    {
        if (l.RoundInput)
        {
            Ops.RoundToHalf(input, (long)m * l.In);
        }

        if (TryForkRows(l, input, m, output) || TryForkTiles(l, input, m, output))
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

}
