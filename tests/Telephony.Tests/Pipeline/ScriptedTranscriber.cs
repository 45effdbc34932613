using CallCenter.Telephony.Transcription;

namespace CallCenter.Telephony.Tests.Pipeline;

/// <summary>
/// FAKE at the <see cref="ITranscriber"/> seam (no real Whisper weights on our machines): returns the known text of
/// the clip whose length is nearest to the utterance it is given, so the rest of the pipeline runs for real.
/// </summary>
internal sealed class ScriptedTranscriber(IReadOnlyList<(int Samples8k, string Text)> script, bool fail = false) : ITranscriber
{
    private int _calls;

    public int Calls => _calls;

    public Task<TranscriptionResult> TranscribeAsync(ReadOnlyMemory<float> pcm16k, TranscribeRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (fail)
        {
            return Task.FromResult(TranscriptionResult.Failed("scripted failure"));
        }

        var samples8k = pcm16k.Length / 2;
        var text = script.MinBy(s => Math.Abs(s.Samples8k - samples8k)).Text;
        var duration = TimeSpan.FromSeconds(pcm16k.Length / 16000.0);
        return Task.FromResult(new TranscriptionResult(true, [new TranscriptionSegment(TimeSpan.Zero, duration, text, -0.2, 0.02)], "zh", null));
    }
}
