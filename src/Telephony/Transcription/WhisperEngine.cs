using System.Collections.Concurrent;
using CallCenter.Telephony.Transcription.Audio;
using CallCenter.Telephony.Transcription.Decoding;
using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Telephony.Transcription;

/// <summary>
/// A loaded model plus a pool of per-stream decoders. The weights are shared read-only; each concurrent
/// stream takes its own <see cref="WhisperState"/> (KV caches, activations), so several call legs can
/// be transcribed at once from one model.
/// </summary>
public sealed class WhisperEngine
{
    private readonly ConcurrentBag<WhisperDecoder> idle = [];
    private readonly int threads;

    public WhisperEngine(WhisperModel model, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        this.threads = threads;
        Vocabulary = new Vocabulary(model.File.Vocabulary, model.HParams.NVocab);
        LogMel = new LogMel(model.File.MelFilters, model.HParams.NMels);
    }

    public WhisperModel Model { get; }

    public Vocabulary Vocabulary { get; }

    public LogMel LogMel { get; }

    public static WhisperEngine Load(string path, int threads) => new(WhisperModel.Load(path), threads);

    /// <summary>Runs whisper_full on 16 kHz samples with a decoder taken from the pool (created on demand).</summary>
    public WhisperResult Transcribe(ReadOnlySpan<float> pcm16k, DecodingOptions options, CancellationToken cancellationToken = default)
    {
        if (!idle.TryTake(out var decoder))
        {
            decoder = new WhisperDecoder(new WhisperState(Model, threads), Vocabulary, LogMel);
        }

        try
        {
            return decoder.Run(pcm16k, options, null, cancellationToken);
        }
        finally
        {
            idle.Add(decoder);
        }
    }
}
