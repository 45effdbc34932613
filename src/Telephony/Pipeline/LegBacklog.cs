using CallCenter.Telephony.Calls;

namespace CallCenter.Telephony.Pipeline;

/// <summary>One utterance (or a batch of them) of one leg waiting for the transcriber.</summary>
public sealed record Utterance(CallLeg Leg, long StartSample, short[] Pcm8k, long EnqueuedAtTimestamp, int Batched = 1)
{
    public long EndSample => StartSample + Pcm8k.Length;

    public int StartMs => (int)(StartSample * 1000 / VoiceActivityDetector.SampleRate);

    public int EndMs => (int)(EndSample * 1000 / VoiceActivityDetector.SampleRate);
}

/// <summary>What <see cref="LegBacklog.Enqueue"/> did with an utterance when the queue was full.</summary>
public enum EnqueueOutcome { Queued, Batched, DroppedOldest }

/// <summary>
/// A leg's bounded queue and its overload policy: the agent leg is never dropped (a full queue merges the new
/// utterance into the last waiting one, so Whisper works through a longer batch); the customer leg drops its
/// oldest waiting utterance, which the caller records as an untranscribed gap. Thread-safe.
/// </summary>
public sealed class LegBacklog(CallLeg leg, int capacity)
{
    private readonly LinkedList<Utterance> _items = new();
    private readonly Lock _gate = new();

    public CallLeg Leg => leg;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public EnqueueOutcome Enqueue(Utterance utterance, out Utterance? dropped)
    {
        ArgumentNullException.ThrowIfNull(utterance);
        dropped = null;
        lock (_gate)
        {
            if (_items.Count < capacity)
            {
                _items.AddLast(utterance);
                return EnqueueOutcome.Queued;
            }

            if (leg == CallLeg.Agent)
            {
                var last = _items.Last!.Value;
                _items.RemoveLast();
                _items.AddLast(Merge(last, utterance));
                return EnqueueOutcome.Batched;
            }

            dropped = _items.First!.Value;
            _items.RemoveFirst();
            _items.AddLast(utterance);
            return EnqueueOutcome.DroppedOldest;
        }
    }

    public bool TryDequeue(out Utterance utterance)
    {
        lock (_gate)
        {
            if (_items.First is { } first)
            {
                _items.RemoveFirst();
                utterance = first.Value;
                return true;
            }
        }

        utterance = null!;
        return false;
    }

    /// <summary>Joins two utterances in timeline order; the silence between them is not kept (it would only feed hallucinations).</summary>
    internal static Utterance Merge(Utterance first, Utterance second)
    {
        var pcm = new short[first.Pcm8k.Length + second.Pcm8k.Length];
        first.Pcm8k.CopyTo(pcm, 0);
        second.Pcm8k.CopyTo(pcm, first.Pcm8k.Length);
        return first with { Pcm8k = pcm, Batched = first.Batched + second.Batched };
    }
}
