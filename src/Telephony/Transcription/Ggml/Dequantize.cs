using System.Buffers.Binary;

namespace CallCenter.Telephony.Transcription.Ggml;

/// <summary>
/// Converts stored tensor data to float32, block by block, following ggml's reference
/// dequantisation (ggml-quants.c) for each type.
/// </summary>
public static class Dequantize
{
    public static void ToFloat(GgmlType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        var blockBytes = GgmlTypeInfo.BlockBytes(type);
        var blockElements = GgmlTypeInfo.BlockElements(type);
        if (src.Length != dst.Length / blockElements * blockBytes || dst.Length % blockElements != 0)
        {
            throw new ArgumentException($"{type}: {src.Length} bytes do not hold {dst.Length} values");
        }

        switch (type)
        {
            case GgmlType.F32:
                for (var i = 0; i < dst.Length; i++)
                {
                    dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                }

                break;
            case GgmlType.F16:
                for (var i = 0; i < dst.Length; i++)
                {
                    dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]);
                }

                break;
            default:
                for (int b = 0, n = dst.Length / 32; b < n; b++)
                {
                    Block(type, src.Slice(b * blockBytes, blockBytes), dst.Slice(b * 32, 32));
                }

                break;
        }
    }

    private static float Half(ReadOnlySpan<byte> s) => (float)BinaryPrimitives.ReadHalfLittleEndian(s);

    private static void Block(GgmlType type, ReadOnlySpan<byte> b, Span<float> y)
    {
        switch (type)
        {
            case GgmlType.Q8x0:
                {
                    var d = Half(b);
                    for (var j = 0; j < 32; j++)
                    {
                        y[j] = (sbyte)b[2 + j] * d;
                    }

                    break;
                }

            case GgmlType.Q4x0:
            case GgmlType.Q4x1:
                {
                    var d = Half(b);
                    var withMin = type == GgmlType.Q4x1;
                    var m = withMin ? Half(b[2..]) : 0f;
                    var qs = b[(withMin ? 4 : 2)..];
                    for (var j = 0; j < 16; j++)
                    {
                        int x0 = qs[j] & 0x0F, x1 = qs[j] >> 4;
                        y[j] = withMin ? x0 * d + m : (x0 - 8) * d;
                        y[j + 16] = withMin ? x1 * d + m : (x1 - 8) * d;
                    }

                    break;
                }

            case GgmlType.Q5x0:
            case GgmlType.Q5x1:
                {
                    // Low 4 bits in qs (two values per byte), the fifth bit of value j in bit j of qh.
                    var d = Half(b);
                    var withMin = type == GgmlType.Q5x1;
                    var m = withMin ? Half(b[2..]) : 0f;
                    var at = withMin ? 4 : 2;
                    var qh = BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
                    var qs = b[(at + 4)..];
                    for (var j = 0; j < 16; j++)
                    {
                        var h0 = (int)((qh >> j) << 4) & 0x10;
                        var h1 = (int)(qh >> (j + 12)) & 0x10;
                        var x0 = (qs[j] & 0x0F) | h0;
                        var x1 = (qs[j] >> 4) | h1;
                        y[j] = withMin ? x0 * d + m : (x0 - 16) * d;
                        y[j + 16] = withMin ? x1 * d + m : (x1 - 16) * d;
                    }

                    break;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "not a block-quantised type");
        }
    }
}
