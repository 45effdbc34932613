using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Telephony.Transcription.Decoding;

/// <summary>A token as whisper.cpp reports it: probability, log-probability and the best timestamp at that step.</summary>
public sealed record DecodedToken(int Id, float P, float PLog, int Tid, float Pt, float PtSum);

/// <summary>Sees the logits of each step after the suppression filters and before the timestamp rules (whisper.cpp's logits_filter_callback).</summary>
public delegate void LogitsObserver(int step, ReadOnlySpan<float> logits);

/// <summary>
/// whisper_process_logits: suppression filters, the timestamp rules, log-softmax and probabilities.
/// One instance per decoding sequence; its arrays are reused for every step, and may be shared by the
/// sequences of one stream that run one after another (<see cref="Buffers"/>).
/// </summary>
public sealed class LogitProcessor(Vocabulary vocab, DecodingOptions options, int nAudioCtx, LogitProcessor.Buffers? buffers = null)
{
    private readonly Buffers work = buffers ?? new(vocab.NVocab);

    public ReadOnlySpan<float> Probs => probs;

    public ReadOnlySpan<float> LogProbs => logprobs;

    private float[] logits => work.Logits;

    private float[] logprobs => work.LogProbs;

    private float[] probs => work.Probs;

    /// <summary>The filters whisper.cpp applies before its logits callback; public so tests can apply them to teacher-forced logits.</summary>
    public static void ApplySuppression(Span<float> logits, Vocabulary vocab, DecodingOptions options, int generated)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentNullException.ThrowIfNull(options);
        var n = logits.Length;
        if (options.SuppressBlank && generated == 0)
        {
            logits[vocab.Eot] = float.NegativeInfinity;
            logits[vocab.Space] = float.NegativeInfinity;
        }

        logits[vocab.NoTimestamps] = float.NegativeInfinity;
        if (options.NoTimestamps)
        {
            logits[vocab.TimestampBegin..n].Fill(float.NegativeInfinity);
        }
        else if (options.MaxTokens > 0 && generated >= options.MaxTokens)
        {
            // the segment is full: only a closing timestamp may follow
            logits[..vocab.TimestampBegin].Fill(float.NegativeInfinity);
        }

        logits[vocab.Sot] = float.NegativeInfinity;
        logits[vocab.NoSpeech] = float.NegativeInfinity;
        logits[vocab.Solm] = float.NegativeInfinity;
        logits[vocab.Translate] = float.NegativeInfinity;
        logits[vocab.Transcribe] = float.NegativeInfinity;
        logits[vocab.Prev] = float.NegativeInfinity;
        for (var i = 0; i < vocab.LanguageCount; i++)
        {
            logits[vocab.Sot + 1 + i] = float.NegativeInfinity;
        }
    }

    /// <summary>Filters <paramref name="raw"/> for the next token after <paramref name="tokens"/> and fills probabilities.</summary>
    public void Process(ReadOnlySpan<float> raw, IReadOnlyList<DecodedToken> tokens, bool hasTimestamp, int seekDelta, float temperature, LogitsObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        raw.CopyTo(logits);
        var n = logits.Length;
        if (temperature > 0)
        {
            for (var i = 0; i < n; i++)
            {
                logits[i] /= temperature;
            }
        }

        var beg = vocab.TimestampBegin;
        ApplySuppression(logits, vocab, options, tokens.Count);
        observer?.Invoke(tokens.Count, logits);

        // timestamps come in pairs, except directly before end-of-text
        var lastWasTs = tokens.Count > 0 && tokens[^1].Id >= beg;
        var penultimateWasTs = tokens.Count < 2 || tokens[^2].Id >= beg;
        if (lastWasTs)
        {
            if (penultimateWasTs)
            {
                logits.AsSpan(beg).Fill(float.NegativeInfinity);
            }
            else
            {
                logits.AsSpan(0, vocab.Eot).Fill(float.NegativeInfinity);
            }
        }

        if (tokens.Count == 0 && options.MaxInitialTimestamp > 0)
        {
            var precision = 30.0f / nAudioCtx;
            var tid0 = (int)MathF.Round(options.MaxInitialTimestamp / precision);
            for (var i = beg + tid0 + 1; i < n; i++)
            {
                logits[i] = float.NegativeInfinity;
            }
        }

        // timestamps never go back
        if (hasTimestamp)
        {
            var tid0 = seekDelta / 2;
            for (var i = beg; i < beg + tid0 && i < n; i++)
            {
                logits[i] = float.NegativeInfinity;
            }
        }

        LogSoftmax(logits, logprobs);

        // take a timestamp when the timestamps together are likelier than the best text token
        var timestamps = logprobs.AsSpan(beg);
        var tsMax = VectorMath.Max(timestamps);
        var tsLogProb = float.NegativeInfinity;
        var sum = tsMax > float.NegativeInfinity ? VectorMath.SumExp(timestamps, tsMax) : 0f;
        if (sum > 0)
        {
            tsLogProb = MathF.Log(sum) + tsMax;
        }

        var textMax = VectorMath.Max(logprobs.AsSpan(0, beg));

        if (tsLogProb > textMax)
        {
            logits.AsSpan(0, beg).Fill(float.NegativeInfinity);
            logprobs.AsSpan(0, beg).Fill(float.NegativeInfinity);
        }

        // logprobs are -inf exactly where logits are, so exp gives the 0 probabilities of masked tokens
        VectorMath.Exp(logprobs, probs);
    }

    /// <summary>whisper_sample_token: the best (or a sampled) token and the best timestamp.</summary>
    public DecodedToken Sample(Random? sampler)
    {
        var beg = vocab.TimestampBegin;
        double sumTs = 0, maxTs = 0;
        var tid = 0;
        for (var i = beg; i < probs.Length; i++)
        {
            sumTs += probs[i];
            if (maxTs < probs[i])
            {
                maxTs = probs[i];
                tid = i;
            }
        }

        var pt = (float)(maxTs / (sumTs + 1e-10));
        var id = 0;
        var p = 0f;
        if (sampler is null)
        {
            id = VectorMath.ArgMaxPositive(probs);
            p = probs[id];
        }
        else
        {
            double total = 0;
            foreach (var value in probs)
            {
                total += value;
            }

            var target = sampler.NextDouble() * total;
            for (id = 0; id < probs.Length - 1; id++)
            {
                target -= probs[id];
                if (target <= 0 && probs[id] > 0)
                {
                    break;
                }
            }

            p = probs[id];
        }

        return new DecodedToken(id, p, logprobs[id], tid, pt, (float)sumTs);
    }

    /// <summary>log_softmax over finite entries, float arithmetic as in whisper.cpp (summed a vector at a time).</summary>
    public static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logprobs)
    {
        var max = VectorMath.Max(logits);
        if (max == float.NegativeInfinity)
        {
            logprobs[..logits.Length].Fill(float.NegativeInfinity);
            return;
        }

        // -inf − lse stays -inf: masked tokens keep a -inf log-probability
        var lse = MathF.Log(VectorMath.SumExp(logits, max)) + max;
        VectorMath.Subtract(logits, lse, logprobs);
    }

    /// <summary>The per-step arrays (n_vocab each), reusable by the sequences of one stream, one at a time.</summary>
    public sealed class Buffers(int nVocab)
    {
        internal float[] Logits { get; } = new float[nVocab];

        internal float[] LogProbs { get; } = new float[nVocab];

        internal float[] Probs { get; } = new float[nVocab];
    }
}
