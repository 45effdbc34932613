using CallCenter.Telephony.Transcription;

namespace CallCenter.Pipeline.Bench;

/// <summary>
/// A stand-in for Whisper at the transcriber seam: waits a fixed time (the engine's cost, not simulated on the CPU)
/// and returns a known sentence containing a taboo phrase, so every agent utterance must raise a screening hit.
/// </summary>
internal sealed class FakeTranscriber(TimeSpan delay, string text) : ITranscriber
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public async Task<TranscriptionResult> TranscribeAsync(ReadOnlyMemory<float> pcm16k, TranscribeRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        var length = TimeSpan.FromSeconds(pcm16k.Length / 16000.0);
        return new TranscriptionResult(true, [new TranscriptionSegment(TimeSpan.Zero, length, text, -0.25, 0.01)], "zh", null);
    }
}
