namespace CallCenter.Telephony.Transcription.Ggml;

/// <summary>ggml tensor element types found in whisper.cpp model files (ids as ggml numbers them; Q8x0 is ggml q8_0).</summary>
public enum GgmlType
{
    F32 = 0,
    F16 = 1,
    Q4x0 = 2,
    Q4x1 = 3,
    Q5x0 = 6,
    Q5x1 = 7,
    Q8x0 = 8,
}

/// <summary>Block sizes of each type: elements per block and bytes per block.</summary>
public static class GgmlTypeInfo
{
    public static bool IsKnown(int type) => type is 0 or 1 or 2 or 3 or 6 or 7 or 8;

    public static int BlockElements(GgmlType type) => type is GgmlType.F32 or GgmlType.F16 ? 1 : 32;

    public static int BlockBytes(GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 => 2,
        GgmlType.Q4x0 => 18,
        GgmlType.Q4x1 => 20,
        GgmlType.Q5x0 => 22,
        GgmlType.Q5x1 => 24,
        GgmlType.Q8x0 => 34,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown ggml type"),
    };

    /// <summary>Bytes of a tensor with <paramref name="elements"/> values; -1 when the count does not fill whole blocks.</summary>
    public static long DataBytes(GgmlType type, long elements)
    {
        var block = BlockElements(type);
        return elements % block != 0 ? -1 : elements / block * BlockBytes(type);
    }
}
