using System.Buffers.Binary;

namespace CallCenter.Telephony.Transcription.Audio;

/// <summary>Writes mono 16-bit PCM WAV with the plain 44-byte header.</summary>
public static class WavWriter
{
    public static byte[] ToPcm16(ReadOnlySpan<float> samples, int sampleRate)
    {
        var bytes = new byte[44 + samples.Length * 2];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], 36 + samples.Length * 2);
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], sampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], 16);
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[40..], samples.Length * 2);
        for (var i = 0; i < samples.Length; i++)
        {
            var v = Math.Clamp(samples[i] * 32768f, short.MinValue, short.MaxValue);
            BinaryPrimitives.WriteInt16LittleEndian(s[(44 + 2 * i)..], (short)MathF.Round(v));
        }

        return bytes;
    }
}
