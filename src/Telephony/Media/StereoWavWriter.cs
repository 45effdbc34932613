using System.Buffers.Binary;

namespace CallCenter.Telephony.Media;

/// <summary>
/// 16-bit stereo PCM WAV at 8 kHz (left = customer, right = agent) on the call's timeline, which starts when the
/// writer is created. Each channel is written at its own position; a short window in memory lets the two legs
/// arrive at different moments and merges them, then frames are written interleaved (silence where a leg sent
/// nothing). Samples older than the window are dropped and counted. Thread-safe: both legs' receive paths write.
/// </summary>
public sealed class StereoWavWriter : IDisposable
{
    public const int HeaderSize = 44;
    private const int SampleRate = 8000;
    private const int WindowFrames = SampleRate * 2;
    // A leg cannot be more than this ahead of the wall clock; a larger jump is a bad timestamp, not audio.
    private const int MaxAheadFrames = SampleRate * 10;
    private readonly FileStream _file;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly short[] _window = new short[WindowFrames * 2];
    private readonly byte[] _scratch = new byte[4096];
    private readonly Lock _gate = new();
    private long _flushed;
    private long _end;
    private long _framesAtLastHeader;
    private bool _disposed;

    public StereoWavWriter(string path, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Path = path;
        _time = time;
        _origin = time.GetTimestamp();
        _file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 16 * 1024);
        WriteHeader(0);
    }

    public string Path { get; }

    /// <summary>Position on the call's timeline now, in 8 kHz sample frames since the writer was created.</summary>
    public long Now => (long)(_time.GetElapsedTime(_origin).TotalSeconds * SampleRate);

    /// <summary>Frames (one sample per channel) in the recording so far.</summary>
    public long FrameCount
    {
        get
        {
            lock (_gate)
            {
                return _end;
            }
        }
    }

    public TimeSpan Duration => TimeSpan.FromSeconds((double)FrameCount / SampleRate);

    public long Bytes => HeaderSize + (FrameCount * 4);

    /// <summary>Samples dropped: too late for the merge window (already written as silence) or impossibly far ahead.</summary>
    public long LateSamples { get; private set; }

    /// <summary>Writes one channel (0 = left/customer, 1 = right/agent) at frame <paramref name="position"/>.</summary>
    public void Write(int channel, long position, ReadOnlySpan<short> samples)
    {
        if (channel is < 0 or > 1 || position < 0 || samples.IsEmpty)
        {
            return;
        }

        if (position > Now + MaxAheadFrames)
        {
            lock (_gate)
            {
                LateSamples += samples.Length;
            }

            return;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (position < _flushed)
            {
                var skip = (int)Math.Min(samples.Length, _flushed - position);
                LateSamples += skip;
                samples = samples[skip..];
                position = _flushed;
            }

            var last = position + samples.Length;
            if (last > _flushed + WindowFrames)
            {
                FlushTo(last - WindowFrames);
            }

            for (var i = 0; i < samples.Length; i++)
            {
                var frame = position + i;
                if (frame >= _flushed)
                {
                    _window[(int)(frame % WindowFrames) * 2 + channel] = samples[i];
                }
            }

            _end = Math.Max(_end, last);
            if (_flushed - _framesAtLastHeader >= SampleRate)
            {
                _file.Flush();
                WriteHeader(_flushed * 4);
                _framesAtLastHeader = _flushed;
            }
        }
    }

    /// <summary>Writes window frames [_flushed, until) to the file and clears them for reuse.</summary>
    private void FlushTo(long until)
    {
        _file.Seek(HeaderSize + (_flushed * 4), SeekOrigin.Begin);
        var used = 0;
        for (var frame = _flushed; frame < until; frame++)
        {
            // Beyond the window (a jump ahead) there is nothing buffered: silence.
            var inWindow = frame < _flushed + WindowFrames;
            var slot = (int)(frame % WindowFrames) * 2;
            var left = inWindow ? _window[slot] : (short)0;
            var right = inWindow ? _window[slot + 1] : (short)0;
            if (inWindow)
            {
                _window[slot] = 0;
                _window[slot + 1] = 0;
            }

            BinaryPrimitives.WriteInt16LittleEndian(_scratch.AsSpan(used), left);
            BinaryPrimitives.WriteInt16LittleEndian(_scratch.AsSpan(used + 2), right);
            used += 4;
            if (used == _scratch.Length)
            {
                _file.Write(_scratch, 0, used);
                used = 0;
            }
        }

        _file.Write(_scratch, 0, used);
        _flushed = until;
    }

    private void WriteHeader(long dataBytes)
    {
        Span<byte> h = stackalloc byte[HeaderSize];
        var data = (uint)Math.Min(dataBytes, uint.MaxValue - 36);
        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], 36 + data);
        "WAVEfmt "u8.CopyTo(h[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], 2);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], SampleRate * 4);
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], 4);
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], 16);
        "data"u8.CopyTo(h[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], data);
        var pos = _file.Position;
        _file.Seek(0, SeekOrigin.Begin);
        _file.Write(h);
        _file.Seek(pos, SeekOrigin.Begin);
        _file.Flush();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            FlushTo(_end);
            WriteHeader(_end * 4);
            _disposed = true;
            _file.Dispose();
        }
    }

    /// <summary>Reads a stereo 16-bit WAV written by this class into its two channels (tests, QA playback checks).</summary>
    public static (short[] Left, short[] Right) ReadChannels(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderSize || BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(22)) != 2)
        {
            throw new InvalidDataException("not a stereo WAV written by StereoWavWriter");
        }

        var frames = (bytes.Length - HeaderSize) / 4;
        var left = new short[frames];
        var right = new short[frames];
        for (var i = 0; i < frames; i++)
        {
            left[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(HeaderSize + (i * 4)));
            right[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(HeaderSize + (i * 4) + 2));
        }

        return (left, right);
    }
}
