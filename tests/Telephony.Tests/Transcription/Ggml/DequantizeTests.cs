using System.Buffers.Binary;
using CallCenter.Telephony.Transcription.Ggml;

namespace CallCenter.Telephony.Tests.Transcription.Ggml;

/// <summary>Dequantisation of hand-made blocks, with expected values worked out from ggml's block layouts.</summary>
public sealed class DequantizeTests
{
    private static byte[] HalfBytes(float v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteHalfLittleEndian(b, (Half)v);
        return b;
    }

    [Fact]
    public void AQ8BlockIsScaleTimesSignedBytes()
    {
        var block = new byte[34];
        HalfBytes(0.5f).CopyTo(block, 0);
        for (var j = 0; j < 32; j++)
        {
            block[2 + j] = unchecked((byte)(sbyte)(j - 16));
        }

        var y = new float[32];
        Dequantize.ToFloat(GgmlType.Q8x0, block, y);
        y[0].ShouldBe(-8f);
        y[16].ShouldBe(0f);
        y[31].ShouldBe(7.5f);
    }

    [Fact]
    public void AQ5x0BlockTakesTheFifthBitFromQh()
    {
        var block = new byte[22];
        HalfBytes(2f).CopyTo(block, 0);

        // qh: bit 0 set (value 0 gets +16), bit 16 set (value 16 gets +16)
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(2), (1u << 0) | (1u << 16));
        block[6] = 0x3F; // value 0: low nibble 0xF, value 16: high nibble 0x3
        block[7] = 0x21; // value 1: 1, value 17: 2
        var y = new float[32];
        Dequantize.ToFloat(GgmlType.Q5x0, block, y);
        y[0].ShouldBe((15 + 16 - 16) * 2f);
        y[16].ShouldBe((3 + 16 - 16) * 2f);
        y[1].ShouldBe((1 - 16) * 2f);
        y[17].ShouldBe((2 - 16) * 2f);
        y[2].ShouldBe(-32f);
    }

    [Fact]
    public void AQ5x1BlockAddsTheMinimum()
    {
        var block = new byte[24];
        HalfBytes(0.25f).CopyTo(block, 0);
        HalfBytes(-1f).CopyTo(block, 2);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(4), 1u << 31); // value 31 gets +16
        block[8 + 15] = 0xF0; // value 15: 0, value 31: 15 (+16 = 31)
        var y = new float[32];
        Dequantize.ToFloat(GgmlType.Q5x1, block, y);
        y[15].ShouldBe(-1f);
        y[31].ShouldBe(31 * 0.25f - 1f);
        y[0].ShouldBe(-1f);
    }

    [Fact]
    public void Q4BlocksUseNibblesWithOffsetOrMinimum()
    {
        var q40 = new byte[18];
        HalfBytes(1f).CopyTo(q40, 0);
        q40[2] = 0x9F;
        var y = new float[32];
        Dequantize.ToFloat(GgmlType.Q4x0, q40, y);
        y[0].ShouldBe(7f);
        y[16].ShouldBe(1f);

        var q41 = new byte[20];
        HalfBytes(1f).CopyTo(q41, 0);
        HalfBytes(10f).CopyTo(q41, 2);
        q41[4] = 0x9F;
        Dequantize.ToFloat(GgmlType.Q4x1, q41, y);
        y[0].ShouldBe(25f);
        y[16].ShouldBe(19f);
    }

    [Fact]
    public void F16AndF32AreReadLittleEndian()
    {
        var y = new float[2];
        Dequantize.ToFloat(GgmlType.F16, [.. HalfBytes(1.5f), .. HalfBytes(-2f)], y);
        y.ShouldBe([1.5f, -2f]);
        var f = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(f, 3.25f);
        BinaryPrimitives.WriteSingleLittleEndian(f.AsSpan(4), -0.5f);
        Dequantize.ToFloat(GgmlType.F32, f, y);
        y.ShouldBe([3.25f, -0.5f]);
    }

    [Fact]
    public void ABufferOfTheWrongSizeIsRefused()
    {
        Should.Throw<ArgumentException>(() => Dequantize.ToFloat(GgmlType.Q8x0, new byte[33], new float[32]));
    }
}
