using CallCenter.Telephony.Transcription.Ggml;

namespace CallCenter.Telephony.Transcription.Model;

/// <summary>
/// A linear layer: W is Out×In (In contiguous) as float32 (W32) or f16 bits (W16), optional bias.
/// f16 weights make ggml round the activations to f16 first, which <see cref="RoundInput"/> mirrors.
/// </summary>
internal sealed record Linear(float[]? W32, ushort[]? W16, float[]? B, int In, int Out)
{
    public bool RoundInput => W16 is not null;
}

internal sealed record Norm(float[] W, float[] B);

internal sealed record AttentionWeights(Linear Q, Linear K, Linear V, Linear O);

internal sealed record EncoderLayer(Norm AttnLn, AttentionWeights Attn, Norm MlpLn, Linear Mlp0, Linear Mlp2);

internal sealed record DecoderLayer(Norm AttnLn, AttentionWeights Attn, Norm CrossLn, AttentionWeights Cross, Norm MlpLn, Linear Mlp0, Linear Mlp2);

/// <summary>
/// The Whisper network's weights, taken from a loaded ggml file with every shape checked.
/// Immutable after construction: shared read-only by all streams.
/// </summary>
public sealed class WhisperModel
{
    public WhisperModel(GgmlModelFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        File = file;
        var hp = file.HParams;
        int da = hp.NAudioState, dt = hp.NTextState;
        EncoderPositions = Floats("encoder.positional_embedding", da, hp.NAudioCtx);
        Conv1 = Weights(Get("encoder.conv1.weight", 3, hp.NMels, da), Bias("encoder.conv1.bias", da), 3 * hp.NMels, da);
        Conv2 = Weights(Get("encoder.conv2.weight", 3, da, da), Bias("encoder.conv2.bias", da), 3 * da, da);
        Encoder = Enumerable.Range(0, hp.NAudioLayer).Select(i =>
        {
            var p = $"encoder.blocks.{i}.";
            return new EncoderLayer(LayerNorm(p + "attn_ln", da), Attention(p + "attn", da), LayerNorm(p + "mlp_ln", da),
                Lin(p + "mlp.0", da, 4 * da, true), Lin(p + "mlp.2", 4 * da, da, true));
        }).ToArray();
        EncoderLnPost = LayerNorm("encoder.ln_post", da);
        DecoderPositions = Floats("decoder.positional_embedding", dt, hp.NTextCtx);
        TokenEmbedding = Weights(Get("decoder.token_embedding.weight", dt, hp.NVocab), null, dt, hp.NVocab);
        Decoder = Enumerable.Range(0, hp.NTextLayer).Select(i =>
        {
            var p = $"decoder.blocks.{i}.";
            return new DecoderLayer(LayerNorm(p + "attn_ln", dt), Attention(p + "attn", dt), LayerNorm(p + "cross_attn_ln", dt),
                Attention(p + "cross_attn", dt), LayerNorm(p + "mlp_ln", dt), Lin(p + "mlp.0", dt, 4 * dt, true), Lin(p + "mlp.2", 4 * dt, dt, true));
        }).ToArray();
        DecoderLn = LayerNorm("decoder.ln", dt);
        if (dt != da)
        {
            throw new WhisperModelException(file.Path, $"n_text_state {dt} differs from n_audio_state {da}, which Whisper never does");
        }
    }

    public GgmlModelFile File { get; }

    public WhisperHParams HParams => File.HParams;

    internal float[] EncoderPositions { get; }

    internal Linear Conv1 { get; }

    internal Linear Conv2 { get; }

    internal EncoderLayer[] Encoder { get; }

    internal Norm EncoderLnPost { get; }

    internal float[] DecoderPositions { get; }

    internal Linear TokenEmbedding { get; }

    internal DecoderLayer[] Decoder { get; }

    internal Norm DecoderLn { get; }

    public static WhisperModel Load(string path) => new(GgmlModelFile.Load(path));

    private static Linear Weights(GgmlTensor w, float[]? bias, int din, int dout) => new(w.F32, w.F16, bias, din, dout);

    // Small tensors (norms, biases, positions) are used as float32 whatever their stored type.
    private float[] Floats(string name, params int[] ne) => Get(name, ne) is var t && t.F32 is not null ? t.F32 : t.ToFloat();

    private GgmlTensor Get(string name, params int[] ne)
    {
        var t = File.Tensor(name);
        var elements = ne.Aggregate(1L, (a, b) => a * b);
        if (t.Elements != elements || t.Ne[0] != ne[0])
        {
            throw new WhisperModelException(File.Path, $"tensor '{name}' has shape [{string.Join(", ", t.Ne)}], expected [{string.Join(", ", ne)}]");
        }

        return t;
    }

    // Conv biases are stored as [1, d]; other biases as [d]. Only the element count matters.
    private float[] Bias(string name, int d)
    {
        var t = File.Tensor(name);
        return t.Elements == d ? (t.F32 ?? t.ToFloat()) : throw new WhisperModelException(File.Path, $"tensor '{name}' has {t.Elements} values, expected {d}");
    }

    private Norm LayerNorm(string prefix, int d) => new(Floats(prefix + ".weight", d), Floats(prefix + ".bias", d));

    private Linear Lin(string prefix, int din, int dout, bool hasBias)
    {
        return Weights(Get(prefix + ".weight", din, dout), hasBias ? Floats(prefix + ".bias", dout) : null, din, dout);
    }

    private AttentionWeights Attention(string prefix, int d) => new(
        Lin(prefix + ".query", d, d, true), Lin(prefix + ".key", d, d, false), Lin(prefix + ".value", d, d, true), Lin(prefix + ".out", d, d, true));
}
