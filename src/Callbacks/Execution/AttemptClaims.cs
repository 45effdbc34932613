using Dapper;
using Npgsql;

namespace CallCenter.Callbacks.Execution;

/// <summary>An attempt this node owns: state 'dialing', Call-ID already stored.</summary>
public sealed record ClaimedAttempt(long Id, long CallbackId, int AttemptNo, DateTime NotBefore, DateTime ClaimedAt, string SipCallId);

/// <summary>
/// The atomic claim (reliability.md §3.3): one UPDATE moves due attempts from 'scheduled' to 'dialing' and stores
/// the node and a fresh SIP Call-ID before any INVITE. SKIP LOCKED lets several nodes claim side by side; a row
/// is claimed by exactly one of them, and a re-fired trigger finds nothing left to claim.
/// </summary>
public static class AttemptClaims
{
    /// <summary>Claims up to <paramref name="max"/> due attempts; only of policies whose mode is in <paramref name="modes"/> when given.</summary>
    public static async Task<IReadOnlyList<ClaimedAttempt>> ClaimDueAsync(NpgsqlDataSource db, int max, string node, DateTimeOffset now, CancellationToken ct,
        IReadOnlyCollection<string>? modes = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<ClaimedAttempt>(new CommandDefinition("""
            WITH due AS (
                SELECT a.id
                FROM callback_attempts a
                JOIN callbacks c ON c.id = a.callback_id
                WHERE a.state = 'scheduled' AND a.not_before <= @now
                  AND (@modes::text[] IS NULL OR EXISTS (SELECT 1 FROM callback_policies p WHERE p.code = c.kind AND p.mode = ANY(@modes::text[])))
                ORDER BY c.priority, a.not_before
                LIMIT @max
                FOR UPDATE OF a SKIP LOCKED)
            UPDATE callback_attempts a
            SET state = 'dialing', claimed_by = @node, claimed_at = @now,
                sip_call_id = 'cb-' || a.id || '-' || replace(gen_random_uuid()::text, '-', '') || '@callcenter'
            FROM due
            WHERE a.id = due.id AND a.state = 'scheduled'
            RETURNING a.id AS Id, a.callback_id AS CallbackId, a.attempt_no AS AttemptNo, a.not_before AS NotBefore,
                      a.claimed_at AS ClaimedAt, a.sip_call_id AS SipCallId
            """, new { now = now.ToUniversalTime(), max, node, modes = modes?.ToArray() }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Gives a claim back when nothing was dialed yet (dial_started_at unset), so it is not flagged unknown.</summary>
    public static async Task<bool> ReleaseUndialedAsync(NpgsqlDataSource db, long attemptId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE callback_attempts SET state = 'scheduled', claimed_by = NULL, claimed_at = NULL, sip_call_id = NULL
            WHERE id = @attemptId AND state = 'dialing' AND dial_started_at IS NULL
            """, new { attemptId }, cancellationToken: ct)) == 1;
    }

    /// <summary>Claims a crashed node left before it started dialing: safe to run again. Returns how many were given back.</summary>
    public static async Task<int> ReleaseAbandonedAsync(NpgsqlDataSource db, DateTimeOffset claimedBefore, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE callback_attempts SET state = 'scheduled', claimed_by = NULL, claimed_at = NULL, sip_call_id = NULL
            WHERE state = 'dialing' AND dial_started_at IS NULL AND claimed_at < @claimedBefore
            """, new { claimedBefore = claimedBefore.ToUniversalTime() }, cancellationToken: ct));
    }
}
