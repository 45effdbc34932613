using System.Diagnostics.Metrics;

namespace CallCenter.Telephony;

/// <summary>Call-level instruments on the meter "CallCenter.Telephony".</summary>
public sealed class TelephonyMetrics
{
    public TelephonyMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(Sip.SipMetrics.MeterName);
        Setups = Meter.CreateCounter<long>("callcenter.calls.setups", description: "Inbound INVITEs that started a call set-up (rate = setups per second)");
        Ended = Meter.CreateCounter<long>("callcenter.calls.ended", description: "Calls ended, by disposition");
        Registrations = Meter.CreateCounter<long>("callcenter.agents.registrations", description: "Accepted REGISTER requests");
        RegistrationsRefused = Meter.CreateCounter<long>("callcenter.agents.registrations_refused", description: "REGISTER requests with wrong credentials or unknown users");
    }

    public Meter Meter { get; }

    public Counter<long> Setups { get; }

    public Counter<long> Ended { get; }

    public Counter<long> Registrations { get; }

    public Counter<long> RegistrationsRefused { get; }
}
