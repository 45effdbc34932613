using System.Collections.Concurrent;

namespace CallCenter.Telephony.Sip;

/// <summary>The UAC side of INVITE: outgoing calls (ringing an agent) and their CANCEL.</summary>
public sealed partial class SipCore
{
    private readonly ConcurrentDictionary<string, InviteClientTransaction> _inviteClient = new(StringComparer.Ordinal);

    /// <summary>
    /// Sends an INVITE in a new INVITE client transaction; <paramref name="onProvisional"/> sees 1xx responses.
    /// The caller owns the dialog (BYE after a 2xx); the stack ACKs every final response.
    /// </summary>
    public InviteClientTransaction SendInvite(SipRequest invite, SipRemote to, Action<SipResponse>? onProvisional = null)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(to);
        var branch = AddVia(invite, to);
        var tx = new InviteClientTransaction(this, branch, invite, to, onProvisional);
        _inviteClient[branch] = tx;
        tx.Start();
        return tx;
    }

    /// <summary>A non-INVITE request whose Via is already set (CANCEL reuses the INVITE's branch, §9.1).</summary>
    internal Task<SipResponse?> SendInTransactionAsync(SipRequest request, SipRemote to, string branch)
    {
        var tx = new ClientTransaction(this, branch, request, to);
        _client[branch] = tx;
        tx.Start();
        return tx.Completion;
    }

    internal void Remove(InviteClientTransaction tx) => _inviteClient.TryRemove(new KeyValuePair<string, InviteClientTransaction>(tx.Branch, tx));
}
