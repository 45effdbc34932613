namespace CallCenter.Telephony.Calls;

/// <summary>Which side of a bridged call a stream of audio comes from.</summary>
public enum CallLeg
{
    Customer,
    Agent,
}

/// <summary>
/// Receives each leg's decoded audio as it arrives, for live transcription and screening. Calls come from the
/// RTP receive path: an implementation copies what it needs and returns at once, never blocking or throwing.
/// </summary>
public interface ICallAudioSink
{
    /// <param name="sampleOffset">Position of the first sample in the leg's timeline (8 kHz samples since the leg started).</param>
    void OnAudio(Guid callId, CallLeg leg, long sampleOffset, ReadOnlySpan<short> pcm8k);

    /// <summary>The leg ended (hang-up, transfer, failure): flush what is pending.</summary>
    void OnLegEnded(Guid callId, CallLeg leg);
}

/// <summary>The RTP tap that hands one leg's audio to every sink (null when there is none).</summary>
public static class CallAudioTaps
{
    public static Media.AudioTap? For(IReadOnlyList<ICallAudioSink> sinks, Guid callId, CallLeg leg)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        if (sinks.Count == 0)
        {
            return null;
        }

        return (offset, pcm) =>
        {
            foreach (var sink in sinks)
            {
                sink.OnAudio(callId, leg, offset, pcm);
            }
        };
    }
}
