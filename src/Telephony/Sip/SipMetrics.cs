using System.Diagnostics.Metrics;

namespace CallCenter.Telephony.Sip;

/// <summary>Instruments of the SIP layer on the meter "CallCenter.Telephony".</summary>
public sealed class SipMetrics
{
    public const string MeterName = "CallCenter.Telephony";

    public SipMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        Received = meter.CreateCounter<long>("callcenter.sip.received", description: "SIP messages received");
        Dropped = meter.CreateCounter<long>("callcenter.sip.dropped", description: "SIP messages dropped, by reason");
        Rejected = meter.CreateCounter<long>("callcenter.sip.rejected", description: "Malformed SIP requests answered with an error");
        SocketErrors = meter.CreateCounter<long>("callcenter.sip.socket_errors", description: "Socket errors on SIP transports");
        HandlerErrors = meter.CreateCounter<long>("callcenter.sip.handler_errors", description: "Exceptions caught in SIP handlers");
        Retransmissions = meter.CreateCounter<long>("callcenter.sip.retransmissions", description: "SIP retransmissions sent");
    }

    public Counter<long> Received { get; }

    public Counter<long> Dropped { get; }

    public Counter<long> Rejected { get; }

    public Counter<long> SocketErrors { get; }

    public Counter<long> HandlerErrors { get; }

    public Counter<long> Retransmissions { get; }
}
