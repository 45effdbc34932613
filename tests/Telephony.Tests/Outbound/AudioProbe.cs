using System.Collections.Concurrent;
using CallCenter.Telephony.Calls;

namespace CallCenter.Telephony.Tests.Outbound;

/// <summary>
/// A second <see cref="ICallAudioSink"/> beside the live pipeline: counts the samples each call's legs hand to
/// transcription and which legs were ended, so a test sees what the pipeline would be given.
/// </summary>
public sealed class AudioProbe : ICallAudioSink
{
    private readonly ConcurrentDictionary<(Guid, CallLeg), long> _samples = new();
    private readonly ConcurrentDictionary<(Guid, CallLeg), bool> _ended = new();

    public long Samples(Guid callId, CallLeg leg) => _samples.GetValueOrDefault((callId, leg));

    public bool Ended(Guid callId, CallLeg leg) => _ended.ContainsKey((callId, leg));

    public void OnAudio(Guid callId, CallLeg leg, long sampleOffset, ReadOnlySpan<short> pcm8k)
    {
        var count = pcm8k.Length;
        _samples.AddOrUpdate((callId, leg), count, (_, n) => n + count);
    }

    public void OnLegEnded(Guid callId, CallLeg leg) => _ended[(callId, leg)] = true;
}
