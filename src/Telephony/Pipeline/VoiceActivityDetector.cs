namespace CallCenter.Telephony.Pipeline;

/// <summary>A stretch of one leg's speech: 8 kHz samples and where they sit in the leg's timeline.</summary>
public sealed record SpeechSpan(long StartSample, short[] Pcm8k, bool Cut)
{
    public long EndSample => StartSample + Pcm8k.Length;
}

/// <summary>
/// Energy detector on 20 ms frames with an adaptive noise floor (follows the line's hiss and hum, so steady
/// telephone noise is never speech), onset confirmation, a pre-roll, a trailing-silence end and a length cap
/// that cuts long speech with an overlap. Not thread-safe: one leg, one caller at a time.
/// </summary>
public sealed class VoiceActivityDetector
{
    public const int SampleRate = 8000;
    public const int FrameSamples = 160;
    private const int OnsetFrames = 3;
    private const int PreRollFrames = 10;
    private const int FloorWindowFrames = 100;

    private readonly PipelineOptions _o;
    private readonly int _endFrames;
    private readonly int _maxSamples;
    private readonly int _overlapSamples;
    private readonly int _minSpeechFrames;
    private readonly short[] _frame = new short[FrameSamples];
    private readonly Queue<short[]> _preRoll = new();
    private readonly List<short> _current = [];
    private int _frameFill;
    private long _frameStart = -1;
    private long _nextSample;
    private readonly double[] _recentDb = new double[FloorWindowFrames];
    private int _recentCount;
    private double _floorDb = double.NaN;
    private bool _inSpeech;
    private int _onset;
    private int _silentFrames;
    private int _voicedFrames;
    private long _utteranceStart;

    public VoiceActivityDetector(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _o = options;
        _endFrames = Math.Max(1, options.EndSilenceMs * SampleRate / 1000 / FrameSamples);
        _maxSamples = options.MaxUtteranceMs * SampleRate / 1000;
        _overlapSamples = options.OverlapMs * SampleRate / 1000;
        _minSpeechFrames = Math.Max(1, options.MinSpeechMs * SampleRate / 1000 / FrameSamples);
    }

    public double NoiseFloorDb => _floorDb;

    /// <summary>Feeds samples starting at <paramref name="sampleOffset"/>; completed utterances go to <paramref name="emit"/>.</summary>
    public void Process(long sampleOffset, ReadOnlySpan<short> pcm, Action<SpeechSpan> emit)
    {
        ArgumentNullException.ThrowIfNull(emit);
        if (_frameStart < 0 || sampleOffset > _nextSample)
        {
            // First audio, or a gap (lost packets): the timeline jumps; a partial frame is simply discarded.
            _frameFill = 0;
            _frameStart = sampleOffset;
            _nextSample = sampleOffset;
        }
        else if (sampleOffset < _nextSample)
        {
            // Late or repeated audio overlapping what was seen: skip the overlap.
            var skip = (int)Math.Min(pcm.Length, _nextSample - sampleOffset);
            pcm = pcm[skip..];
        }

        foreach (var s in pcm)
        {
            _frame[_frameFill++] = s;
            _nextSample++;
            if (_frameFill == FrameSamples)
            {
                Frame(_frameStart, emit);
                _frameStart += FrameSamples;
                _frameFill = 0;
            }
        }
    }

    /// <summary>The leg ended: a pending utterance is emitted if it holds enough speech.</summary>
    public void Flush(Action<SpeechSpan> emit)
    {
        ArgumentNullException.ThrowIfNull(emit);
        if (_inSpeech)
        {
            Finish(emit, cut: false);
        }
    }

    private void Frame(long start, Action<SpeechSpan> emit)
    {
        var db = EnergyDb(_frame);
        // Minimum statistics: the quietest frame of the last 2 s. Speech has gaps between syllables, so the floor
        // follows the line's noise whether or not someone is talking, and learns noise that is there from the start.
        _recentDb[_recentCount++ % FloorWindowFrames] = db;
        var floor = double.MaxValue;
        for (var i = 0; i < Math.Min(_recentCount, FloorWindowFrames); i++)
        {
            floor = Math.Min(floor, _recentDb[i]);
        }

        // Smoothed upwards (noise that grows), immediate downwards.
        _floorDb = double.IsNaN(_floorDb) || floor < _floorDb ? floor : _floorDb + (0.05 * (floor - _floorDb));

        var threshold = Math.Max(_floorDb + (_inSpeech ? _o.SpeechAboveFloorDb / 2 : _o.SpeechAboveFloorDb), _o.AbsoluteMinDbfs);
        var voiced = db > threshold;
        if (!_inSpeech)
        {
            _preRoll.Enqueue((short[])_frame.Clone());
            if (_preRoll.Count > PreRollFrames)
            {
                _preRoll.Dequeue();
            }

            _onset = voiced ? _onset + 1 : 0;
            if (_onset >= OnsetFrames)
            {
                _inSpeech = true;
                _utteranceStart = start + FrameSamples - ((long)_preRoll.Count * FrameSamples);
                foreach (var f in _preRoll)
                {
                    _current.AddRange(f);
                }

                _preRoll.Clear();
                _voicedFrames = _onset;
                _silentFrames = 0;
                _onset = 0;
            }

            return;
        }

        _current.AddRange(_frame);
        if (voiced)
        {
            _voicedFrames++;
            _silentFrames = 0;
        }
        else if (++_silentFrames >= _endFrames)
        {
            Finish(emit, cut: false);
            return;
        }

        if (_current.Count >= _maxSamples)
        {
            Finish(emit, cut: true);
        }
    }

    private void Finish(Action<SpeechSpan> emit, bool cut)
    {
        var samples = _current.ToArray();
        if (!cut && _silentFrames > 0)
        {
            // Keep ~200 ms of the trailing silence: Whisper needs the word ending, not the whole pause.
            var trim = Math.Max(0, (_silentFrames - PreRollFrames) * FrameSamples);
            samples = samples[..Math.Max(0, samples.Length - trim)];
        }

        if (_voicedFrames >= _minSpeechFrames && samples.Length > 0)
        {
            emit(new SpeechSpan(_utteranceStart, samples, cut));
        }

        _current.Clear();
        _preRoll.Clear();
        _silentFrames = 0;
        _voicedFrames = 0;
        if (cut && _overlapSamples > 0)
        {
            // Still speaking: the next utterance repeats the last moment so a word split at the cut is heard whole.
            var keep = Math.Min(_overlapSamples, samples.Length);
            _current.AddRange(samples.AsSpan(samples.Length - keep).ToArray());
            _utteranceStart += samples.Length - keep;
        }
        else if (cut)
        {
            _utteranceStart += samples.Length;
        }
        else
        {
            _inSpeech = false;
        }
    }

    internal static double EnergyDb(ReadOnlySpan<short> frame)
    {
        double sum = 0;
        foreach (var s in frame)
        {
            sum += (double)s * s;
        }

        var rms = Math.Sqrt(sum / Math.Max(1, frame.Length)) / 32768.0;
        return 20 * Math.Log10(rms + 1e-9);
    }
}
