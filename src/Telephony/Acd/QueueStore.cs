using Dapper;
using Npgsql;

namespace CallCenter.Telephony.Acd;

/// <summary>Where a queued call stands, read from the calls table so every node sharing the database agrees.</summary>
/// <param name="ServiceLineId">The call's line.</param>
/// <param name="MaxWaitSeconds">The line's max_wait_seconds: when the callback offer is made.</param>
/// <param name="Ahead">Callers on the same line queued before this one and still waiting.</param>
public sealed record QueueStanding(int ServiceLineId, int MaxWaitSeconds, int Ahead)
{
    /// <summary>1 for the next caller to be served.</summary>
    public int Position => Ahead + 1;
}

public sealed class QueueStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The call's standing, or null when the row has no line. Rows older than a day are ignored: a node that died
    /// and never came back (so never marked its calls interrupted) must not push every caller back for ever.
    /// </summary>
    public async Task<QueueStanding?> StandingAsync(Guid callId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<QueueStanding>(new CommandDefinition(
            """
            SELECT me.service_line_id AS ServiceLineId, l.max_wait_seconds AS MaxWaitSeconds,
                   (SELECT count(*) FROM calls o
                     WHERE o.service_line_id = me.service_line_id AND o.state = 'queued' AND o.ended_at IS NULL
                       AND o.direction = 'inbound' AND o.queued_at > now() - interval '1 day'
                       AND (o.queued_at, o.id) < (coalesce(me.queued_at, now()), me.id))::int AS Ahead
              FROM calls me JOIN service_lines l ON l.id = me.service_line_id
             WHERE me.id = @callId
            """, new { callId }, cancellationToken: ct));
    }
}
