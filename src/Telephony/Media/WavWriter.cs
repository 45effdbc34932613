using System.Buffers.Binary;

namespace CallCenter.Telephony.Media;

/// <summary>
/// 16-bit mono PCM WAV writer that places samples at their RTP-timestamp position (gaps become silence, late
/// samples inside the written region overwrite silence). The header is rewritten every second of audio, so a
/// killed process leaves a playable file; <see cref="Repair"/> fixes whatever the last rewrite missed.
/// </summary>
public sealed class WavWriter : IDisposable
{
    public const int HeaderSize = 44;
    private const int HeaderEverySamples = 8000;
    private readonly FileStream _file;
    private readonly int _sampleRate;
    private readonly byte[] _scratch = new byte[4096];
    private long _samples;
    private long _samplesAtLastHeader;
    private bool _disposed;

    public WavWriter(string path, int sampleRate = 8000)
    {
        Path = path;
        _sampleRate = sampleRate;
        _file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 16 * 1024);
        WriteHeader(_file, sampleRate, 0);
    }

    public string Path { get; }

    /// <summary>Samples in the file (the end of the furthest write).</summary>
    public long SampleCount => _samples;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)_samples / _sampleRate);

    public long Bytes => HeaderSize + (_samples * 2);

    /// <summary>Writes <paramref name="samples"/> starting at sample index <paramref name="position"/>.</summary>
    public void Write(long position, ReadOnlySpan<short> samples)
    {
        if (_disposed || position < 0 || samples.IsEmpty)
        {
            return;
        }

        if (position > _samples)
        {
            // Silence for lost packets keeps the recording in real time.
            _file.Seek(HeaderSize + (_samples * 2), SeekOrigin.Begin);
            var gap = position - _samples;
            Array.Clear(_scratch);
            while (gap > 0)
            {
                var n = (int)Math.Min(gap, _scratch.Length / 2);
                _file.Write(_scratch, 0, n * 2);
                gap -= n;
            }
        }
        else
        {
            _file.Seek(HeaderSize + (position * 2), SeekOrigin.Begin);
        }

        var remaining = samples;
        while (!remaining.IsEmpty)
        {
            var n = Math.Min(remaining.Length, _scratch.Length / 2);
            for (var i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(_scratch.AsSpan(i * 2), remaining[i]);
            }

            _file.Write(_scratch, 0, n * 2);
            remaining = remaining[n..];
        }

        _samples = Math.Max(_samples, position + samples.Length);
        if (_samples - _samplesAtLastHeader >= HeaderEverySamples)
        {
            RewriteHeader();
        }
    }

    public void Append(ReadOnlySpan<short> samples) => Write(_samples, samples);

    private void RewriteHeader()
    {
        _file.Flush();
        WriteHeader(_file, _sampleRate, _samples * 2);
        _samplesAtLastHeader = _samples;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        RewriteHeader();
        _disposed = true;
        _file.Dispose();
    }

    private static void WriteHeader(FileStream file, int sampleRate, long dataBytes)
    {
        Span<byte> h = stackalloc byte[HeaderSize];
        var data = (uint)Math.Min(dataBytes, uint.MaxValue - 36);
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], 36 + data);
        "WAVEfmt "u8.CopyTo(h[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], (uint)sampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], data);
        var pos = file.Position;
        file.Seek(0, SeekOrigin.Begin);
        file.Write(h);
        file.Seek(pos, SeekOrigin.Begin);
        file.Flush();
    }

    /// <summary>Sets the RIFF and data sizes from the file length (after a crash); returns the audio duration.</summary>
    public static TimeSpan Repair(string path, int sampleRate = 8000)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        if (file.Length < HeaderSize)
        {
            file.SetLength(0);
            WriteHeader(file, sampleRate, 0);
            return TimeSpan.Zero;
        }

        var dataBytes = (file.Length - HeaderSize) & ~1L;
        file.SetLength(HeaderSize + dataBytes);
        WriteHeader(file, sampleRate, dataBytes);
        return TimeSpan.FromSeconds(dataBytes / 2.0 / sampleRate);
    }
}

/// <summary>Reads the 8 kHz mono WAV files we ship as prompts and write as recordings (PCM16, µ-law or A-law).</summary>
public static class WavReader
{
    public static short[] ReadMono8k(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return ReadMono8k(bytes);
    }

    public static short[] ReadMono8k(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes[8..12].SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("not a RIFF/WAVE file");
        }

        int format = 0, channels = 0, rate = 0, bits = 0;
        var pos = 12;
        while (pos + 8 <= bytes.Length)
        {
            var id = bytes.Slice(pos, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes[(pos + 4)..]), (uint)(bytes.Length - pos - 8));
            var body = bytes.Slice(pos + 8, size);
            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (channels != 1 || rate != 8000)
                {
                    throw new InvalidDataException("prompt must be 8 kHz mono");
                }

                return (format, bits) switch
                {
                    (1, 16) => Pcm16(body),
                    (7, 8) => Decode(body, G711.DecodeUlaw),
                    (6, 8) => Decode(body, G711.DecodeAlaw),
                    _ => throw new InvalidDataException("unsupported WAV encoding"),
                };
            }

            pos += 8 + size + (size & 1);
        }

        throw new InvalidDataException("no data chunk");
    }

    private static short[] Pcm16(ReadOnlySpan<byte> body)
    {
        var s = new short[body.Length / 2];
        for (var i = 0; i < s.Length; i++)
        {
            s[i] = BinaryPrimitives.ReadInt16LittleEndian(body[(i * 2)..]);
        }

        return s;
    }

    private static short[] Decode(ReadOnlySpan<byte> body, Func<byte, short> decode)
    {
        var s = new short[body.Length];
        for (var i = 0; i < s.Length; i++)
        {
            s[i] = decode(body[i]);
        }

        return s;
    }
}
