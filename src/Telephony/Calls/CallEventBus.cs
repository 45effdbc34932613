using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace CallCenter.Telephony.Calls;

/// <summary>
/// In-process fan-out of <see cref="CallEvent"/>s. Each subscriber gets its own bounded channel; a slow
/// subscriber loses its oldest events (counted) and never blocks the publisher, which may be an RTP or SIP thread.
/// </summary>
public sealed class CallEventBus : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Meter _meter = new("CallCenter.Telephony.Events");
    private readonly Counter<long> _dropped;
    private Channel<CallEvent>[] _subscribers = [];

    public CallEventBus()
    {
        _dropped = _meter.CreateCounter<long>("callcenter.call_events.dropped", description: "Events a slow subscriber lost");
    }

    public void Publish(CallEvent callEvent)
    {
        ArgumentNullException.ThrowIfNull(callEvent);
        foreach (var channel in Volatile.Read(ref _subscribers))
        {
            if (!channel.Writer.TryWrite(callEvent))
            {
                _dropped.Add(1);
            }
        }
    }

    /// <summary>Subscribes until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<CallEvent> SubscribeAsync(int capacity = 10_000,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<CallEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        }, _ => _dropped.Add(1));
        lock (_gate)
        {
            _subscribers = [.. _subscribers, channel];
        }

        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return e;
            }
        }
        finally
        {
            lock (_gate)
            {
                _subscribers = _subscribers.Where(c => c != channel).ToArray();
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
