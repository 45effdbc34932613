using System.Text;

namespace CallCenter.Whisper.Bench;

/// <summary>
/// Writes a ggml Whisper model of real size with random f16 weights (synthetic weights cost exactly what
/// real ones cost). Written to a temp folder by the benchmark and deleted afterwards; never committed.
/// </summary>
internal static class SyntheticModel
{
    public sealed record Size(string Name, int State, int Heads, int Layers);

    public static readonly Size Tiny = new("tiny", 384, 6, 4);
    public static readonly Size Base = new("base", 512, 8, 6);

    public static void Write(string path, Size size)
    {
        const int nVocab = 51865, nAudioCtx = 1500, nTextCtx = 448, nMels = 80;
        var d = size.State;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var w = new BinaryWriter(stream);
        var rng = new Rng(20251125);
        w.Write(0x67676d6cu);
        foreach (var v in new[] { nVocab, nAudioCtx, d, size.Heads, size.Layers, nTextCtx, d, size.Heads, size.Layers, nMels, 1 })
        {
            w.Write(v);
        }

        w.Write(nMels);
        w.Write(201);
        for (var i = 0; i < nMels * 201; i++)
        {
            w.Write(rng.Uniform() * 0.01f);
        }

        w.Write(50257);
        for (var i = 0; i < 50257; i++)
        {
            var bytes = i == 50256 ? [] : Encoding.ASCII.GetBytes("t" + i);
            w.Write(bytes.Length);
            w.Write(bytes);
        }

        void Tensor(string name, bool f16, float scale, float offset, params int[] ne)
        {
            w.Write(ne.Length);
            var nameBytes = Encoding.UTF8.GetBytes(name);
            w.Write(nameBytes.Length);
            w.Write(f16 ? 1 : 0);
            foreach (var n in ne)
            {
                w.Write(n);
            }

            w.Write(nameBytes);
            var count = ne.Aggregate(1L, (a, b) => a * b);
            for (long i = 0; i < count; i++)
            {
                var v = offset + scale * rng.Normal();
                if (f16)
                {
                    w.Write((Half)v);
                }
                else
                {
                    w.Write(v);
                }
            }
        }

        void Linear(string p, int din, int dout, bool bias)
        {
            Tensor(p + ".weight", true, 1f / MathF.Sqrt(din), 0, din, dout);
            if (bias)
            {
                Tensor(p + ".bias", false, 0.05f, 0, dout);
            }
        }

        void Norm(string p)
        {
            Tensor(p + ".weight", false, 0.05f, 1, d);
            Tensor(p + ".bias", false, 0.05f, 0, d);
        }

        void Attention(string p)
        {
            Linear(p + ".query", d, d, true);
            Linear(p + ".key", d, d, false);
            Linear(p + ".value", d, d, true);
            Linear(p + ".out", d, d, true);
        }

        Tensor("encoder.positional_embedding", false, 0.5f, 0, d, nAudioCtx);
        Tensor("encoder.conv1.weight", true, 0.06f, 0, 3, nMels, d);
        Tensor("encoder.conv1.bias", false, 0.1f, 0, 1, d);
        Tensor("encoder.conv2.weight", true, 0.03f, 0, 3, d, d);
        Tensor("encoder.conv2.bias", false, 0.1f, 0, 1, d);
        for (var l = 0; l < size.Layers; l++)
        {
            var p = $"encoder.blocks.{l}.";
            Attention(p + "attn");
            Norm(p + "attn_ln");
            Linear(p + "mlp.0", d, 4 * d, true);
            Linear(p + "mlp.2", 4 * d, d, true);
            Norm(p + "mlp_ln");
        }

        Norm("encoder.ln_post");
        Tensor("decoder.positional_embedding", false, 0.5f, 0, d, nTextCtx);
        Tensor("decoder.token_embedding.weight", true, 1f, 0, d, nVocab);
        for (var l = 0; l < size.Layers; l++)
        {
            var p = $"decoder.blocks.{l}.";
            Attention(p + "attn");
            Norm(p + "attn_ln");
            Attention(p + "cross_attn");
            Norm(p + "cross_attn_ln");
            Linear(p + "mlp.0", d, 4 * d, true);
            Linear(p + "mlp.2", 4 * d, d, true);
            Norm(p + "mlp_ln");
        }

        Norm("decoder.ln");
    }

    /// <summary>xorshift + Box-Muller: fast enough to write 150 MB of weights in a few seconds.</summary>
    private sealed class Rng(ulong seed)
    {
        private ulong state = seed;
        private float? spare;

        public float Uniform()
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return (state >> 40) / (float)(1 << 24);
        }

        public float Normal()
        {
            if (spare is { } s)
            {
                spare = null;
                return s;
            }

            var u = Math.Max(Uniform(), 1e-7f);
            var v = Uniform();
            var r = MathF.Sqrt(-2 * MathF.Log(u));
            spare = r * MathF.Sin(2 * MathF.PI * v);
            return r * MathF.Cos(2 * MathF.PI * v);
        }
    }
}
