using Dapper;
using Npgsql;

namespace CallCenter.Telephony.Outbound;

/// <summary>The calls row of an outbound call; the rest of its life uses <see cref="Calls.CallStore"/> like inbound calls.</summary>
public sealed class OutboundCallStore(NpgsqlDataSource dataSource)
{
    /// <summary>The id of the service line with this code, or null.</summary>
    public async Task<int?> LineIdAsync(string code, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT id FROM service_lines WHERE code = @code", new { code }, cancellationToken: ct));
    }

    /// <summary>False when an outbound call with this SIP Call-ID exists already: the attempt was dialed before, never dial again.</summary>
    public async Task<bool> InsertAsync(Guid id, string sipCallId, string callerId, string destination, long? callbackAttemptId, long? customerId,
        string node, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO calls (id, direction, sip_call_id, caller_number, dialed_number, callback_attempt_id, customer_id, node, state)
            VALUES (@id, 'outbound', @sipCallId, @callerId, @destination, @callbackAttemptId, @customerId, @node, 'setup')
            ON CONFLICT (sip_call_id, direction) DO NOTHING
            """, new { id, sipCallId, callerId, destination, callbackAttemptId, customerId, node }, cancellationToken: ct)) == 1;
    }
}
