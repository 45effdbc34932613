namespace CallCenter.Telephony.Media;

/// <summary>ITU-T G.711 µ-law and A-law: decoding through 256-entry tables, encoding by segment search.</summary>
public static class G711
{
    private static readonly short[] UlawTable = BuildTable(DecodeUlawSlow);
    private static readonly short[] AlawTable = BuildTable(DecodeAlawSlow);

    public static short DecodeUlaw(byte b) => UlawTable[b];

    public static short DecodeAlaw(byte b) => AlawTable[b];

    public static void DecodeUlaw(ReadOnlySpan<byte> input, Span<short> output)
    {
        for (var i = 0; i < input.Length; i++)
        {
            output[i] = UlawTable[input[i]];
        }
    }

    public static void DecodeAlaw(ReadOnlySpan<byte> input, Span<short> output)
    {
        for (var i = 0; i < input.Length; i++)
        {
            output[i] = AlawTable[input[i]];
        }
    }

    public static byte EncodeUlaw(short sample)
    {
        const int Bias = 0x84;
        const int Clip = 32635;
        int s = sample;
        var sign = (s >> 8) & 0x80;
        if (sign != 0)
        {
            s = -s;
        }

        if (s > Clip)
        {
            s = Clip;
        }

        s += Bias;
        var exponent = 7;
        for (var mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1)
        {
            exponent--;
        }

        var mantissa = (s >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }

    public static byte EncodeAlaw(short sample)
    {
        int s = sample;
        int mask;
        if (s >= 0)
        {
            mask = 0xD5;
        }
        else
        {
            mask = 0x55;
            s = -s - 1;
        }

        s >>= 3; // 13-bit magnitude
        int seg;
        if (s < 32)
        {
            return (byte)(((s >> 1) & 0x0F | 0) ^ mask);
        }

        for (seg = 1; seg < 8 && s >= (32 << seg); seg++)
        {
        }

        if (seg >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        return (byte)(((seg << 4) | ((s >> seg) & 0x0F)) ^ mask);
    }

    private static short[] BuildTable(Func<byte, short> decode)
    {
        var t = new short[256];
        for (var i = 0; i < 256; i++)
        {
            t[i] = decode((byte)i);
        }

        return t;
    }

    private static short DecodeUlawSlow(byte b)
    {
        var u = ~b & 0xFF;
        var t = ((u & 0x0F) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (short)((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    private static short DecodeAlawSlow(byte b)
    {
        var a = b ^ 0x55;
        var t = (a & 0x0F) << 4;
        var seg = (a & 0x70) >> 4;
        t = seg switch
        {
            0 => t + 8,
            1 => t + 0x108,
            _ => (t + 0x108) << (seg - 1),
        };
        return (short)((a & 0x80) != 0 ? t : -t);
    }
}
