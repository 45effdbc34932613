using System.Collections.Concurrent;
using CallCenter.Telephony.Transcription;
using CallCenter.Telephony.Transcription.Decoding;
using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Pipeline.Bench;

/// <summary>
/// The managed Whisper engine's real compute on a synthetic model of real size: log-mel and encoder over the
/// utterance's actual audio, then a greedy decode of as many tokens as the speech would give (7 per second, like
/// Whisper.Bench's 70 per 10 s). Random weights produce no text, so the known taboo sentence is returned instead:
/// the cost is the engine's, the words are a substitute.
/// </summary>
internal sealed class WhisperCostTranscriber(WhisperEngine engine, int streams, int threadsPerStream, string text) : ITranscriber, IDisposable
{
    private const double TokensPerSecond = 7;
    private readonly ConcurrentBag<WhisperState> _states = [.. Enumerable.Range(0, streams).Select(_ => new WhisperState(engine.Model, threadsPerStream))];
    private readonly SemaphoreSlim _gate = new(streams);

    public async Task<TranscriptionResult> TranscribeAsync(ReadOnlyMemory<float> pcm16k, TranscribeRequest request, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        _states.TryTake(out var state);
        try
        {
            var seconds = pcm16k.Length / 16000.0;
            await Task.Run(() => Compute(state!, pcm16k.Span, (int)Math.Ceiling(seconds * TokensPerSecond)), cancellationToken).ConfigureAwait(false);
            return new TranscriptionResult(true, [new TranscriptionSegment(TimeSpan.Zero, TimeSpan.FromSeconds(seconds), text, -0.25, 0.01)], "zh", null);
        }
        finally
        {
            _states.Add(state!);
            _gate.Release();
        }
    }

    private void Compute(WhisperState state, ReadOnlySpan<float> pcm, int tokens)
    {
        var mel = engine.LogMel.Compute(pcm);
        state.Encode(mel.Data, mel.Length);
        var v = engine.Vocabulary;
        var processor = new LogitProcessor(v, new DecodingOptions { NoTimestamps = true }, engine.Model.HParams.NAudioCtx);
        int[] prompt = [v.Sot, v.LanguageToken("zh"), v.Transcribe, v.NoTimestamps];
        state.Decode(prompt, 0);
        var decoded = new List<DecodedToken>();
        var one = new int[1];
        for (var i = 0; i < tokens; i++)
        {
            processor.Process(state.Logits, decoded, false, 3000, 0, null);
            var token = processor.Sample(null);
            decoded.Add(token);
            one[0] = token.Id == v.Eot ? 220 : token.Id; // random weights may end early; keep the realistic length
            state.Decode(one, prompt.Length + i);
        }
    }

    public void Dispose() => _gate.Dispose();
}
