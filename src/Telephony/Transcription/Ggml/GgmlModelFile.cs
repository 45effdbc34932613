using System.Buffers;
using System.Text;

namespace CallCenter.Telephony.Transcription.Ggml;

/// <summary>Hyper-parameters in the order whisper.cpp stores them.</summary>
public sealed record WhisperHParams(
    int NVocab, int NAudioCtx, int NAudioState, int NAudioHead, int NAudioLayer,
    int NTextCtx, int NTextState, int NTextHead, int NTextLayer, int NMels, int FType)
{
    /// <summary>ftype without the quantisation-version multiplier (ftype % 1000).</summary>
    public int BaseFType => FType % 1000;
}

/// <summary>
/// One tensor: ne[0] is the fastest-varying dimension. f32 tensors are kept as float32; f16 tensors as their
/// f16 bits, and quantised ones dequantised to f16, so weights take half the memory of float32 and the
/// kernels convert them on the fly. Arrays are pinned: the kernels use raw pointers.
/// </summary>
public sealed class GgmlTensor
{
    internal GgmlTensor(string name, int[] ne, GgmlType type, float[]? f32, ushort[]? f16)
    {
        Name = name;
        Ne = ne;
        Type = type;
        F32 = f32;
        F16 = f16;
    }

    public string Name { get; }

    public IReadOnlyList<int> Ne { get; }

    public GgmlType Type { get; }

    public long Elements => F32?.LongLength ?? F16!.LongLength;

    /// <summary>The values as float32 (stored f32 tensors), else null.</summary>
    internal float[]? F32 { get; }

    /// <summary>The values as f16 bits (f16 and quantised tensors), else null.</summary>
    internal ushort[]? F16 { get; }

    /// <summary>A float32 copy of the values.</summary>
    public float[] ToFloat()
    {
        if (F32 is not null)
        {
            return (float[])F32.Clone();
        }

        var result = new float[F16!.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)BitConverter.UInt16BitsToHalf(F16[i]);
        }

        return result;
    }
}

/// <summary>
/// A whisper.cpp legacy ggml model file: header, mel filter bank, byte-level vocabulary and tensors.
/// Every tensor is converted to float32 at load (quantised blocks dequantised) and kept read-only,
/// so one loaded file can serve any number of concurrent streams.
/// </summary>
public sealed class GgmlModelFile
{
    public const uint Magic = 0x67676d6c;
    private const int MaxNameLength = 512;

    private GgmlModelFile(string path, WhisperHParams hp, int nFft, float[] filters, byte[][] vocab, Dictionary<string, GgmlTensor> tensors)
    {
        Path = path;
        HParams = hp;
        FilterNFft = nFft;
        MelFilters = filters;
        Vocabulary = vocab;
        Tensors = tensors;
    }

    public string Path { get; }

    public WhisperHParams HParams { get; }

    /// <summary>Frequency bins per mel filter (201 for n_fft 400).</summary>
    public int FilterNFft { get; }

    /// <summary>n_mels x FilterNFft, row-major by mel band.</summary>
    public float[] MelFilters { get; }

    /// <summary>Token bytes as stored (GPT-2 byte-level BPE bytes, not necessarily valid UTF-8).</summary>
    public IReadOnlyList<byte[]> Vocabulary { get; }

    public IReadOnlyDictionary<string, GgmlTensor> Tensors { get; }

    public GgmlTensor Tensor(string name) => Tensors.TryGetValue(name, out var t)
        ? t
        : throw new WhisperModelException(Path, $"tensor '{name}' is missing");

    public static GgmlModelFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new WhisperModelException(path, "file not found");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Read(path, stream);
        }
        catch (EndOfStreamException ex)
        {
            throw new WhisperModelException(path, "file is truncated (ended in the middle of the header or a tensor)", ex);
        }
        catch (IOException ex)
        {
            throw new WhisperModelException(path, "cannot be read: " + ex.Message, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new WhisperModelException(path, "cannot be read: " + ex.Message, ex);
        }
    }

    private static GgmlModelFile Read(string path, FileStream stream)
    {
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var magic = r.ReadUInt32();
        if (magic != Magic)
        {
            throw new WhisperModelException(path, $"not a ggml Whisper model (magic 0x{magic:x8}, expected 0x{Magic:x8})");
        }

        var h = new int[11];
        for (var i = 0; i < h.Length; i++)
        {
            h[i] = r.ReadInt32();
        }

        var hp = new WhisperHParams(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10]);
        CheckHParams(path, hp);

        var nMel = r.ReadInt32();
        var nFft = r.ReadInt32();
        if (nMel != hp.NMels || nFft is <= 0 or > 4096)
        {
            throw new WhisperModelException(path, $"mel filter header is corrupt (n_mel {nMel}, n_fft {nFft}; n_mels is {hp.NMels})");
        }

        var filters = new float[nMel * nFft];
        ReadFloats(r, filters);

        var nTokens = r.ReadInt32();
        if (nTokens <= 0 || nTokens > hp.NVocab)
        {
            throw new WhisperModelException(path, $"vocabulary size {nTokens} is corrupt (n_vocab {hp.NVocab})");
        }

        var vocab = new byte[nTokens][];
        for (var i = 0; i < nTokens; i++)
        {
            var len = r.ReadUInt32();
            if (len > 1024)
            {
                throw new WhisperModelException(path, $"vocabulary token {i} has an implausible length {len}");
            }

            vocab[i] = ReadExactly(r, (int)len);
        }

        var tensors = new Dictionary<string, GgmlTensor>(StringComparer.Ordinal);
        while (stream.Position < stream.Length)
        {
            var t = ReadTensor(path, r, stream);
            if (!tensors.TryAdd(t.Name, t))
            {
                throw new WhisperModelException(path, $"tensor '{t.Name}' appears twice");
            }
        }

        return new GgmlModelFile(path, hp, nFft, filters, vocab, tensors);
    }

    private static void CheckHParams(string path, WhisperHParams hp)
    {
        bool Positive(int v, int max) => v > 0 && v <= max;
        var ok = Positive(hp.NVocab, 1 << 20) && Positive(hp.NAudioCtx, 1 << 16) && Positive(hp.NAudioState, 1 << 14)
            && Positive(hp.NAudioHead, 256) && Positive(hp.NAudioLayer, 256) && Positive(hp.NTextCtx, 1 << 16)
            && Positive(hp.NTextState, 1 << 14) && Positive(hp.NTextHead, 256) && Positive(hp.NTextLayer, 256)
            && Positive(hp.NMels, 1024) && hp.FType >= 0
            && hp.NAudioState % hp.NAudioHead == 0 && hp.NTextState % hp.NTextHead == 0;
        if (!ok)
        {
            throw new WhisperModelException(path, $"hyper-parameters are corrupt: {hp}");
        }
    }

    private static GgmlTensor ReadTensor(string path, BinaryReader r, FileStream stream)
    {
        var nDims = r.ReadInt32();
        var nameLen = r.ReadInt32();
        var ttype = r.ReadInt32();
        if (nDims is < 1 or > 4 || nameLen is < 1 or > MaxNameLength || !GgmlTypeInfo.IsKnown(ttype))
        {
            throw new WhisperModelException(path, $"tensor header at byte {stream.Position - 12} is corrupt (n_dims {nDims}, name length {nameLen}, type {ttype})");
        }

        var ne = new int[nDims];
        long elements = 1;
        for (var i = 0; i < nDims; i++)
        {
            ne[i] = r.ReadInt32();
            if (ne[i] <= 0)
            {
                throw new WhisperModelException(path, $"tensor header at byte {stream.Position} has dimension {ne[i]}");
            }

            elements *= ne[i];
        }

        var name = Encoding.UTF8.GetString(ReadExactly(r, nameLen));
        var type = (GgmlType)ttype;
        var bytes = GgmlTypeInfo.DataBytes(type, elements);
        if (bytes < 0 || elements > Array.MaxLength)
        {
            throw new WhisperModelException(path, $"tensor '{name}' has {elements} values, which do not fit type {type}");
        }

        var left = stream.Length - stream.Position;
        if (bytes > left)
        {
            throw new WhisperModelException(path, $"file is truncated: tensor '{name}' needs {bytes} bytes of data but only {left} remain");
        }

        // Pinned: the compute kernels take raw pointers to weights that live as long as the model.
        if (type == GgmlType.F16)
        {
            var bits = GC.AllocateUninitializedArray<ushort>((int)elements, pinned: true);
            r.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()));
            if (!BitConverter.IsLittleEndian)
            {
                System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(bits, bits);
            }

            return new GgmlTensor(name, ne, type, null, bits);
        }

        var data = GC.AllocateUninitializedArray<float>(type == GgmlType.F32 ? (int)elements : 0, pinned: true);
        var half = type == GgmlType.F32 ? null : GC.AllocateUninitializedArray<ushort>((int)elements, pinned: true);
        const int chunkValues = 1 << 16;
        var buffer = ArrayPool<byte>.Shared.Rent(GgmlTypeInfo.BlockBytes(type) * chunkValues);
        var floats = half is null ? null : ArrayPool<float>.Shared.Rent(chunkValues * 32);
        try
        {
            var blockElements = GgmlTypeInfo.BlockElements(type);
            for (long done = 0; done < elements;)
            {
                var n = (int)Math.Min(chunkValues * (long)blockElements, elements - done);
                var nb = (int)GgmlTypeInfo.DataBytes(type, n);
                r.BaseStream.ReadExactly(buffer, 0, nb);
                if (half is null)
                {
                    Dequantize.ToFloat(type, buffer.AsSpan(0, nb), data.AsSpan((int)done, n));
                }
                else
                {
                    Dequantize.ToFloat(type, buffer.AsSpan(0, nb), floats.AsSpan(0, n));
                    for (var i = 0; i < n; i++)
                    {
                        half[done + i] = BitConverter.HalfToUInt16Bits((Half)floats![i]);
                    }
                }

                done += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (floats is not null)
            {
                ArrayPool<float>.Shared.Return(floats);
            }
        }

        return new GgmlTensor(name, ne, type, half is null ? data : null, half);
    }

    private static void ReadFloats(BinaryReader r, float[] dst)
    {
        var bytes = ReadExactly(r, dst.Length * 4);
        Dequantize.ToFloat(GgmlType.F32, bytes, dst);
    }

    private static byte[] ReadExactly(BinaryReader r, int count)
    {
        var bytes = r.ReadBytes(count);
        return bytes.Length == count ? bytes : throw new EndOfStreamException();
    }
}
