using System.IO.Compression;
using System.Text;
using CallCenter.Telephony.Transcription.Audio;
using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Telephony.Transcription.Decoding;

/// <summary>A segment in whisper.cpp's terms: times in 10 ms units, text bytes as the tokens hold them.</summary>
public sealed record WhisperSegment(long T0, long T1, string Text, byte[] TextBytes, float NoSpeechProb, double AvgLogProb, float Temperature, IReadOnlyList<DecodedToken> Tokens);

public sealed record WhisperResult(IReadOnlyList<WhisperSegment> Segments, string Language);

/// <summary>
/// whisper_full for one stream: 30 s windows, prompt with language and task, greedy decoding with
/// whisper.cpp's suppression and timestamp rules, temperature fallback on failure, entropy/compression
/// loop checks, no-speech detection and segment splitting at timestamps.
/// </summary>
public sealed class WhisperDecoder
{
    private const int DeltaMin = 10; // 100 ms: closer than this to the end counts as the end of the audio

    private readonly WhisperState state;
    private readonly Vocabulary vocab;
    private readonly LogMel logMel;
    private readonly float[] scratch;
    private readonly LogitProcessor.Buffers processorBuffers;
    private float[]? melBuffer; // reused utterance after utterance: a live stream then leaves no large garbage

    public WhisperDecoder(WhisperState state, Vocabulary vocab, LogMel logMel)
    {
        ArgumentNullException.ThrowIfNull(state);
        this.state = state;
        this.vocab = vocab;
        this.logMel = logMel;
        scratch = new float[vocab.NVocab];
        processorBuffers = new LogitProcessor.Buffers(vocab.NVocab);
    }

    public WhisperResult Run(ReadOnlySpan<float> pcm16k, DecodingOptions options, LogitsObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hp = state.Model.HParams;
        var mel = logMel.Compute(pcm16k, melBuffer);
        melBuffer = mel.Data;
        var seekEnd = mel.ContentFrames;
        var segments = new List<WhisperSegment>();
        var language = options.Language;
        var promptPast = new List<int>(options.InitialPrompt is { Length: > 0 } p ? vocab.Encode(p) : []);
        var temperatures = new List<float> { options.Temperature };
        if (options.TemperatureIncrement > 0)
        {
            for (var t = options.Temperature + options.TemperatureIncrement; t < 1.0f + 1e-6f; t += options.TemperatureIncrement)
            {
                temperatures.Add(t);
            }
        }

        var sampler = new Random(options.Seed);
        var seek = 0;
        while (seek + 100 < seekEnd)
        {
            cancellationToken.ThrowIfCancellationRequested();
            state.Encode(mel.Data, mel.Length, seek, options.AudioContext);
            if (vocab.IsMultilingual && (string.IsNullOrEmpty(language) || language == "auto"))
            {
                language = DetectLanguage();
            }

            var promptInit = new List<int> { vocab.Sot };
            if (vocab.IsMultilingual)
            {
                var lang = vocab.LanguageToken(language);
                promptInit.Add(lang >= 0 ? lang : throw new ArgumentException($"unknown language '{language}'", nameof(options)));
                promptInit.Add(options.Translate ? vocab.Translate : vocab.Transcribe);
            }

            if (options.NoTimestamps)
            {
                promptInit.Add(vocab.NoTimestamps);
            }

            Sequence best = null!;
            List<int> prompt = null!;
            var noSpeech = 0f;
            var temperature = 0f;
            for (var it = 0; it < temperatures.Count; it++)
            {
                temperature = temperatures[it];
                prompt = [];
                if (promptPast.Count > 0 && temperature < 0.5f)
                {
                    var take = Math.Min(hp.NTextCtx / 2, promptPast.Count);
                    prompt.Add(vocab.Prev);
                    prompt.AddRange(promptPast.Skip(promptPast.Count - take));
                }

                prompt.AddRange(promptInit);
                var count = temperature > 0 ? Math.Max(1, options.BestOf) : 1;
                var candidates = new List<Sequence>();
                for (var j = 0; j < count; j++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    candidates.Add(RunSequence(prompt, seek, seekEnd, temperature, options, temperature > 0 ? sampler : null, observer, out noSpeech));
                }

                best = candidates[0];
                var bestScore = double.NegativeInfinity;
                foreach (var c in candidates.Where(c => !c.Failed))
                {
                    c.Tokens.RemoveRange(c.ResultLen, c.Tokens.Count - c.ResultLen);
                    c.Score(options, vocab);
                    if (c.Failed)
                    {
                        continue;
                    }

                    if (bestScore < c.ScoreValue)
                    {
                        bestScore = c.ScoreValue;
                        best = c;
                    }
                }

                var lastTemperature = it == temperatures.Count - 1;
                if (lastTemperature || !(best.Failed || (best.AvgLogProb < options.LogProbThreshold && noSpeech < options.NoSpeechThreshold)))
                {
                    break;
                }
            }

            var isNoSpeech = noSpeech > options.NoSpeechThreshold && best.AvgLogProb < options.LogProbThreshold;
            var previous = prompt[0] == vocab.Prev ? prompt.Skip(1).Take(prompt.Count - 1 - promptInit.Count).ToList() : [];
            promptPast = previous;
            if (!isNoSpeech)
            {
                promptPast.AddRange(best.Tokens.Take(best.ResultLen).Select(t => t.Id));
                EmitSegments(best, seek, noSpeech, temperature, options, segments);
            }

            var tokens = best.Tokens;
            var seekDelta = best.SeekDelta;
            if (tokens.Count > 1 && tokens[^2].Id < vocab.TimestampBegin && tokens[^1].Id > vocab.TimestampBegin)
            {
                seekDelta = Math.Min(seekEnd - seek, 3000); // a single timestamp ending: skip the whole window
            }

            seek += seekDelta;
        }

        return new WhisperResult(segments, language);
    }

    private string DetectLanguage()
    {
        state.Decode([vocab.Sot], 0);
        var logits = state.Logits;
        var bestId = vocab.Sot + 1;
        for (var i = 0; i < vocab.LanguageCount; i++)
        {
            if (logits[vocab.Sot + 1 + i] > logits[bestId])
            {
                bestId = vocab.Sot + 1 + i;
            }
        }

        return vocab.LanguageCode(bestId) ?? "en";
    }

    private Sequence RunSequence(List<int> prompt, int seek, int seekEnd, float temperature, DecodingOptions options, Random? sampler, LogitsObserver? observer, out float noSpeech)
    {
        var hp = state.Model.HParams;
        var seq = new Sequence();
        var processor = new LogitProcessor(vocab, options, hp.NAudioCtx, processorBuffers);
        state.Decode(prompt.ToArray(), 0);

        // no-speech probability from the raw prompt logits, before any filter
        LogitProcessor.LogSoftmax(state.Logits, scratch);
        noSpeech = MathF.Exp(scratch[vocab.NoSpeech]);

        processor.Process(state.Logits, seq.Tokens, seq.HasTs, seq.SeekDelta, temperature, observer);
        var nMax = hp.NTextCtx / 2 - 4;
        var beg = vocab.TimestampBegin;
        var one = new int[1];
        for (var i = 0; i < nMax; i++)
        {
            var token = processor.Sample(sampler);
            seq.Tokens.Add(token);
            if (token.Id > beg)
            {
                var newDelta = 2 * (token.Id - beg);
                if (seq.HasTs && seq.SeekDelta > newDelta && seq.ResultLen < i)
                {
                    seq.Failed = true; // went back in time
                    break;
                }

                seq.SeekDelta = newDelta;
                seq.ResultLen = i + 1;
                seq.HasTs = true;
            }

            if (token.Id == vocab.Eot || (options.MaxTokens > 0 && i >= options.MaxTokens) || (seq.HasTs && seek + seq.SeekDelta + DeltaMin >= seekEnd))
            {
                if (seq.ResultLen == 0 && !options.NoTimestamps)
                {
                    if (seek + seq.SeekDelta + DeltaMin >= seekEnd)
                    {
                        seq.ResultLen = i + 1;
                    }
                    else
                    {
                        seq.Failed = true;
                        break;
                    }
                }

                if (options.SingleSegment || options.NoTimestamps)
                {
                    seq.ResultLen = i + 1;
                    seq.SeekDelta = 3000;
                }

                break;
            }

            if (i == nMax - 1 && (seq.ResultLen == 0 || seq.SeekDelta < 1500))
            {
                seq.Failed = true; // repetition loop
                break;
            }

            one[0] = token.Id;
            state.Decode(one, prompt.Count + i);
            processor.Process(state.Logits, seq.Tokens, seq.HasTs, seq.SeekDelta, temperature, observer);
        }

        return seq;
    }

    private void EmitSegments(Sequence best, int seek, float noSpeech, float temperature, DecodingOptions options, List<WhisperSegment> segments)
    {
        var tokens = best.Tokens;
        if (tokens.Count == 0)
        {
            return;
        }

        var beg = vocab.TimestampBegin;
        var i0 = 0;
        long t0 = seek + 2 * (tokens[0].Tid - beg);
        var text = new List<byte>();
        for (var i = 0; i < tokens.Count; i++)
        {
            text.AddRange(vocab.Bytes(tokens[i].Id).ToArray());
            if (tokens[i].Id > beg && !options.SingleSegment)
            {
                long t1 = seek + 2 * (tokens[i].Tid - beg);
                if (text.Count > 0)
                {
                    segments.Add(Segment(t0, t1, text, noSpeech, temperature, tokens.GetRange(i0, i - i0 + 1)));
                }

                text.Clear();
                while (i < tokens.Count && tokens[i].Id > beg)
                {
                    i++;
                }

                i--;
                t0 = t1;
                i0 = i + 1;
            }
        }

        if (text.Count > 0)
        {
            segments.Add(Segment(t0, seek + best.SeekDelta, text, noSpeech, temperature, tokens.GetRange(i0, tokens.Count - i0)));
        }
    }

    private static WhisperSegment Segment(long t0, long t1, List<byte> text, float noSpeech, float temperature, List<DecodedToken> tokens)
    {
        var bytes = text.ToArray();
        var avg = tokens.Count == 0 ? 0 : tokens.Average(t => (double)t.PLog);
        return new WhisperSegment(t0, t1, Encoding.UTF8.GetString(bytes), bytes, noSpeech, avg, temperature, tokens);
    }

    private sealed class Sequence
    {
        public List<DecodedToken> Tokens { get; } = [];

        public int ResultLen { get; set; }

        public int SeekDelta { get; set; } = 3000;

        public bool HasTs { get; set; }

        public bool Failed { get; set; }

        public double AvgLogProb { get; private set; } = double.NegativeInfinity;

        public double ScoreValue { get; private set; } = double.NegativeInfinity;

        /// <summary>whisper_sequence_score plus the loop checks that mark a sequence as failed.</summary>
        public void Score(DecodingOptions options, Vocabulary vocab)
        {
            if (ResultLen == 0)
            {
                return;
            }

            var sum = Tokens.Take(ResultLen).Sum(t => (double)t.PLog);
            AvgLogProb = sum / ResultLen;
            ScoreValue = sum / ResultLen; // length_penalty -1: divide by the length
            var window = Tokens.Skip(Math.Max(0, ResultLen - 32)).Take(Math.Min(32, ResultLen)).ToList();
            var entropy = window.GroupBy(t => t.Id).Sum(g =>
            {
                var p = g.Count() / (double)window.Count;
                return -p * Math.Log(p);
            });
            if (ResultLen > 32 && entropy < options.EntropyThreshold)
            {
                Failed = true;
            }

            if (options.CompressionRatioThreshold is { } limit && CompressionRatio(vocab.TextBytes(Tokens.Select(t => t.Id))) > limit)
            {
                Failed = true;
            }
        }

        private static double CompressionRatio(byte[] text)
        {
            if (text.Length == 0)
            {
                return 0;
            }

            using var buffer = new MemoryStream();
            using (var z = new ZLibStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                z.Write(text);
            }

            return (double)text.Length / buffer.Length;
        }
    }
}
