using System.Globalization;
using CallCenter.Callbacks.Execution;
using CallCenter.Callbacks.Policies;
using CallCenter.Telephony.Outbound;

namespace CallCenter.Agent.Web.Callbacks;

/// <summary>
/// The real <see cref="ICallbackDialer"/>: the host adapts Telephony's <see cref="OutboundDialer"/> to the callback
/// scheduler (the two modules do not know each other). Automated kinds get their prompt and the keys their policy
/// reads (OutcomeRecorder.Interpret: pickup 1 confirms / 2 call later; surveys 1–5 score / 9 call later).
/// Agent-first kinds ring the owner (or an agent of Telephony:Outbound:AgentLine) first, then dial and bridge.
/// </summary>
public sealed partial class SipCallbackDialer(OutboundDialer outbound, ILogger<SipCallbackDialer> logger) : ICallbackDialer
{
    public const string AttemptHeader = "X-CallCenter-Attempt";

    /// <summary>Prompt and accepted keys per automated callback kind (prompts in src/Telephony/Prompts).</summary>
    public static OutboundScript? ScriptFor(string kind) => kind switch
    {
        "pickup_reminder" => new OutboundScript("pickup_reminder.wav", "12"),
        "repair_followup" => new OutboundScript("survey.wav", "123459"),
        "complaint_followup" => new OutboundScript("complaint_followup.wav", "123459"),
        _ => null,
    };

    /// <summary>Only while a trunk is configured and SIP listens; otherwise nothing is claimed and attempts stay scheduled.</summary>
    public bool Dials(DialMode mode) => outbound.CanDial;

    public async Task<DialResult> DialAsync(DialRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = new Dictionary<string, string>
        {
            [AttemptHeader] = request.AttemptId.ToString(CultureInfo.InvariantCulture),
        };
        if (request.Mode == DialMode.AgentFirst)
        {
            var call = new OutboundRequest(request.Destination, request.SipCallId, headers, null, request.AttemptId, request.CustomerId);
            var bridged = await outbound.PlaceAgentFirstAsync(call, new AgentTarget(request.OwnerAgentId, null, "callbacks", request.CallbackId, request.Kind),
                cancellationToken);
            return new DialResult(Map(bridged.Outcome), null, bridged.Reason);
        }

        var script = ScriptFor(request.Kind);
        if (script is null)
        {
            LogNoScript(request.AttemptId, request.Kind);
            return new DialResult(DialOutcome.Failed, null, "no automated script for kind " + request.Kind + "; not dialed");
        }

        var result = await outbound.PlaceAsync(
            new OutboundRequest(request.Destination, request.SipCallId, headers, script, request.AttemptId, request.CustomerId), cancellationToken);
        return new DialResult(Map(result.Outcome), result.Dtmf, result.Reason);
    }

    internal static DialOutcome Map(OutboundOutcome outcome) => outcome switch
    {
        OutboundOutcome.Answered => DialOutcome.Answered,
        OutboundOutcome.Busy => DialOutcome.Busy,
        OutboundOutcome.NoAnswer => DialOutcome.NoAnswer,
        OutboundOutcome.Rejected => DialOutcome.Rejected,
        _ => DialOutcome.Failed,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Attempt {AttemptId}: no automated script for callback kind {Kind}; not dialed")]
    private partial void LogNoScript(long attemptId, string kind);
}
