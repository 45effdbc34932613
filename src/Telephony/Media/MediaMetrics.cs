using System.Diagnostics.Metrics;

namespace CallCenter.Telephony.Media;

/// <summary>RTP instruments on the meter "CallCenter.Telephony".</summary>
public sealed class MediaMetrics
{
    public MediaMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Sip.SipMetrics.MeterName);
        Received = meter.CreateCounter<long>("callcenter.rtp.received", description: "RTP packets accepted");
        Dropped = meter.CreateCounter<long>("callcenter.rtp.dropped", description: "RTP packets dropped, by reason");
        Sent = meter.CreateCounter<long>("callcenter.rtp.sent", description: "RTP packets sent");
    }

    public Counter<long> Received { get; }

    public Counter<long> Dropped { get; }

    public Counter<long> Sent { get; }

    public void Drop(string reason) => Dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
