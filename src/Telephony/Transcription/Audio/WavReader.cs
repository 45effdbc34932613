using System.Buffers.Binary;

namespace CallCenter.Telephony.Transcription.Audio;

/// <summary>A WAV file that cannot be used: not RIFF/WAVE, a format we do not read, or cut short.</summary>
public sealed class WavFormatException : Exception
{
    public WavFormatException()
    {
    }

    public WavFormatException(string message)
        : base(message)
    {
    }

    public WavFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>Mono float samples in [-1, 1) at <see cref="SampleRate"/>.</summary>
public sealed record PcmAudio(float[] Samples, int SampleRate)
{
    public double DurationSeconds => (double)Samples.Length / SampleRate;
}

/// <summary>
/// Reads mono RIFF WAV: 16-bit PCM (sample / 32768, as whisper.cpp is given it) or 32-bit float,
/// at 8 kHz or 16 kHz. Anything else is refused with a message saying what the file holds.
/// </summary>
public static class WavReader
{
    public static PcmAudio Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new WavFormatException($"WAV file '{path}' not found");
        }

        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (WavFormatException ex)
        {
            throw new WavFormatException($"WAV file '{path}': {ex.Message}", ex);
        }
    }

    public static PcmAudio Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new WavFormatException("not a RIFF/WAVE file");
        }

        int? format = null, channels = null, rate = null, bits = null;
        var pos = 12;
        while (pos + 8 <= bytes.Length)
        {
            var id = bytes.Slice(pos, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(pos + 4)..]);
            var body = pos + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > bytes.Length)
                {
                    throw new WavFormatException("the fmt chunk is truncated");
                }

                format = BinaryPrimitives.ReadUInt16LittleEndian(bytes[body..]);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(body + 2)..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(bytes[(body + 4)..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(body + 14)..]);
                if (format == 0xFFFE && size >= 40 && body + 26 <= bytes.Length)
                {
                    // WAVE_FORMAT_EXTENSIBLE: the real format code starts the sub-format GUID
                    format = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(body + 24)..]);
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    throw new WavFormatException("data chunk before the fmt chunk");
                }

                Check(format.Value, channels!.Value, rate!.Value, bits!.Value);
                var available = bytes.Length - body;
                var length = size > available ? available : (int)size;
                var data = bytes.Slice(body, length);
                if (size > available && size != uint.MaxValue)
                {
                    throw new WavFormatException($"data chunk says {size} bytes but only {available} are present (truncated file)");
                }

                return new PcmAudio(Decode(data, format.Value), rate.Value);
            }

            pos = body + (int)Math.Min(size + (size & 1), int.MaxValue - body);
        }

        throw new WavFormatException(format is null ? "no fmt chunk" : "no data chunk");
    }

    private static void Check(int format, int channels, int rate, int bits)
    {
        if (format != 1 && format != 3)
        {
            throw new WavFormatException($"format code {format} is not supported (need PCM = 1 or IEEE float = 3; decode A-law/µ-law first)");
        }

        if (channels != 1)
        {
            throw new WavFormatException($"{channels} channels; Whisper needs mono (mix down first)");
        }

        if ((format == 1 && bits != 16) || (format == 3 && bits != 32))
        {
            throw new WavFormatException($"{bits}-bit {(format == 1 ? "PCM" : "float")} is not supported (need 16-bit PCM or 32-bit float)");
        }

        if (rate != 16000 && rate != 8000)
        {
            throw new WavFormatException($"sample rate {rate} Hz is not supported (need 16000 Hz, or 8000 Hz which is resampled)");
        }
    }

    private static float[] Decode(ReadOnlySpan<byte> data, int format)
    {
        if (format == 1)
        {
            var samples = new float[data.Length / 2];
            for (var i = 0; i < samples.Length; i++)
            {
                samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]) / 32768.0f;
            }

            return samples;
        }

        var floats = new float[data.Length / 4];
        for (var i = 0; i < floats.Length; i++)
        {
            floats[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
        }

        return floats;
    }
}
