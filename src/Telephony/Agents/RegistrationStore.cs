using Dapper;
using Npgsql;

namespace CallCenter.Telephony.Agents;

/// <summary>An agent's SIP credentials as stored (HA1 per algorithm; never the password).</summary>
public sealed record SipAccount(int Id, string Realm, string? Ha1Md5, string? Ha1Sha256);

/// <summary>One registered device of an agent (ExpiresAt in UTC, as Npgsql reads timestamptz).</summary>
public sealed record Binding(string ContactUri, DateTime ExpiresAt);

/// <summary>agent_registrations rows: the bindings of every node (the database is the truth for several nodes).</summary>
public sealed class RegistrationStore(NpgsqlDataSource dataSource)
{
    public async Task<SipAccount?> FindAccountAsync(string sipUsername, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<SipAccount>(new CommandDefinition(
            """
            SELECT id AS Id, coalesce(sip_realm, 'callcenter') AS Realm, sip_ha1_md5 AS Ha1Md5, sip_ha1_sha256 AS Ha1Sha256
              FROM agents WHERE sip_username = @sipUsername AND active
            """, new { sipUsername }, cancellationToken: ct));
    }

    /// <summary>Applies the REGISTER's changes (expires 0 removes) and returns the agent's live bindings after it.</summary>
    public async Task<IReadOnlyList<Binding>> ApplyAsync(int agentId, IReadOnlyList<(string Contact, int Expires)> changes, bool removeAll,
        string source, string? userAgent, string node, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM agent_registrations WHERE agent_id = @agentId AND (expires_at <= now() OR @removeAll)",
            new { agentId, removeAll }, tx, cancellationToken: ct));
        foreach (var (contact, expires) in changes)
        {
            await conn.ExecuteAsync(new CommandDefinition(expires == 0
                ? "DELETE FROM agent_registrations WHERE agent_id = @agentId AND contact_uri = @contact"
                : """
                  INSERT INTO agent_registrations (agent_id, contact_uri, source, user_agent, node, expires_at)
                  VALUES (@agentId, @contact, @source, @userAgent, @node, now() + make_interval(secs => @expires))
                  ON CONFLICT (agent_id, contact_uri) DO UPDATE SET source = excluded.source, user_agent = excluded.user_agent,
                     node = excluded.node, expires_at = excluded.expires_at
                  """, new { agentId, contact, source, userAgent, node, expires }, tx, cancellationToken: ct));
        }

        var live = (await conn.QueryAsync<Binding>(new CommandDefinition(
            "SELECT contact_uri AS ContactUri, expires_at AS ExpiresAt FROM agent_registrations WHERE agent_id = @agentId AND expires_at > now() ORDER BY id",
            new { agentId }, tx, cancellationToken: ct))).ToList();
        await tx.CommitAsync(ct);
        return live;
    }

    /// <summary>Live contacts of an agent, newest first (where the ACD rings).</summary>
    public async Task<IReadOnlyList<string>> ContactsAsync(int agentId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<string>(new CommandDefinition(
            "SELECT contact_uri FROM agent_registrations WHERE agent_id = @agentId AND expires_at > now() ORDER BY expires_at DESC",
            new { agentId }, cancellationToken: ct))).ToList();
    }
}
