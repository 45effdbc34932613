using System.Runtime.CompilerServices;
using CallCenter.Telephony.Transcription.Decoding;
using CallCenter.Telephony.Transcription.Model;

namespace CallCenter.Whisper.Bench;

/// <summary>
/// What a stream reuses from utterance to utterance, as the engine's pooled WhisperDecoder does (the mel
/// buffer and the logit processor's arrays), so the bench's memory figures match the service's.
/// </summary>
internal sealed class StreamScratch(int nVocab)
{
    private static readonly ConditionalWeakTable<WhisperState, StreamScratch> ByState = [];

    public float[]? Mel { get; set; }

    public LogitProcessor.Buffers Logits { get; } = new(nVocab);

    public static StreamScratch For(WhisperState state) =>
        ByState.GetValue(state, s => new StreamScratch(s.Model.HParams.NVocab));
}
