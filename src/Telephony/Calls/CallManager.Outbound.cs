using CallCenter.Telephony.Outbound;
using CallCenter.Telephony.Sip;

namespace CallCenter.Telephony.Calls;

/// <summary>In-dialog requests of outbound calls (BYE from the customer, re-INVITE) go to the outbound side.</summary>
public sealed partial class CallManager
{
    /// <summary>Answered outbound calls; set by AddTelephony. Null: only inbound calls are known here.</summary>
    public OutboundDialogs? OutboundDialogs { get; set; }

    private bool RoutedToOutbound(ServerTransaction transaction) => OutboundDialogs?.TryHandle(transaction) == true;
}
