using CallCenter.Agent.Web.Auth;
using CallCenter.Agent.Web.Desk;
using Dapper;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Agent.Web.Hubs;

/// <summary>
/// Relays transcript segments and screening hits to the browser as the transcription pipeline writes them.
/// It reads the tables (the truth, shared by every node) rather than an in-process event, so it works
/// whichever node transcribed the call. Segments go to the call's group and its agent; hits also go to
/// supervisors as alerts.
/// </summary>
public sealed class TranscriptRelay(
    NpgsqlDataSource db,
    IHubContext<AgentHub, IAgentClient> hub,
    IOptions<WebOptions> options,
    TimeProvider clock,
    ILogger<TranscriptRelay> logger) : BackgroundService
{
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long lastSegment = -1, lastHit = -1, lastEscalation = -1;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.TranscriptPollMilliseconds), clock);
        do
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(stoppingToken);
                if (lastSegment < 0)
                {
                    // Start at the present: history is read by the pop and the call page, not replayed.
                    lastSegment = await conn.ExecuteScalarAsync<long>("SELECT COALESCE(max(id), 0) FROM transcript_segments");
                    lastHit = await conn.ExecuteScalarAsync<long>("SELECT COALESCE(max(id), 0) FROM screening_hits");
                    lastEscalation = await conn.ExecuteScalarAsync<long>("SELECT COALESCE(max(id), 0) FROM call_escalations");
                }

                lastSegment = await RelaySegments(conn, lastSegment, stoppingToken);
                lastHit = await RelayHits(conn, lastHit, stoppingToken);
                lastEscalation = await RelayEscalations(conn, lastEscalation, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Never let the relay stop the host: log, and try again at the next tick.
                logger.LogWarning(ex, "Transcript relay failed this round; retrying");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<long> RelaySegments(NpgsqlConnection conn, long after, CancellationToken ct)
    {
        var rows = (await conn.QueryAsync<SegmentRow>(new CommandDefinition($"""
            SELECT COALESCE(d.agent_id, c.agent_id, 0)::bigint AS AgentId,
                   s.call_id AS CallId, s.id, s.speaker, s.seq, s.start_ms AS StartMs, s.text, s.suspect
              FROM transcript_segments s
              JOIN calls c ON c.id = s.call_id
              LEFT JOIN agent_desk_calls d ON d.call_id = s.call_id
             WHERE s.id > @after ORDER BY s.id LIMIT {Batch}
            """, new { after }, cancellationToken: ct))).ToList();
        foreach (var row in rows)
        {
            var (agentId, line) = (row.AgentId, new TranscriptLine(row.CallId, row.Id, row.Speaker, row.Seq, row.StartMs, row.Text, row.Suspect));
            await hub.Clients.Groups(Roles.CallGroup(line.CallId), Roles.AgentGroup((int)agentId)).Transcript(line);
        }

        return rows.Count == 0 ? after : rows[^1].Id;
    }

    private async Task<long> RelayHits(NpgsqlConnection conn, long after, CancellationToken ct)
    {
        var rows = (await conn.QueryAsync<HitRow>(new CommandDefinition($"""
            SELECT COALESCE((SELECT d.agent_id FROM agent_desk_calls d WHERE d.call_id = h.call_id),
                            (SELECT c.agent_id FROM calls c WHERE c.id = h.call_id), 0)::bigint AS AgentId,
                   {ScreenPopBuilder.TabooHintColumns}
             WHERE h.id > @after AND r.kind = 'taboo' ORDER BY h.id LIMIT {Batch}
            """, new { after }, cancellationToken: ct))).ToList();
        foreach (var row in rows)
        {
            var (agentId, hint) = (row.AgentId, new TabooHint(row.CallId, row.Id, row.RuleCode, row.Severity, row.Speaker,
                row.MatchedText, row.Replacement, row.At));
            await hub.Clients.Groups(Roles.CallGroup(hint.CallId), Roles.AgentGroup((int)agentId)).TabooHint(hint);
            await hub.Clients.Group(Roles.SupervisorsGroup).Alert(hint);
        }

        // Hits of other kinds are skipped but still advance the cursor.
        var max = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COALESCE(max(id), @after) FROM (SELECT id FROM screening_hits WHERE id > @after ORDER BY id LIMIT {Batch}) x",
            new { after }, cancellationToken: ct));
        return rows.Count == 0 ? max : Math.Max(max, rows[^1].Id);
    }

    /// <summary>
    /// Escalations from customer cues (the live pipeline's call_escalations) go to supervisors only, as an Alert whose
    /// rule code is "escalation:S1" etc. Their ids are offset so the feed (keyed by id) never confuses one with a hit.
    /// </summary>
    public const long EscalationIdOffset = 1_000_000_000_000;

    private async Task<long> RelayEscalations(NpgsqlConnection conn, long after, CancellationToken ct)
    {
        var rows = (await conn.QueryAsync<EscalationRow>(new CommandDefinition($"""
            SELECT e.id, e.call_id AS CallId, e.level, e.created_at AS At,
                   COALESCE((SELECT string_agg(h.matched_text, '、' ORDER BY h.id) FROM screening_hits h
                              WHERE h.segment_id = e.segment_id AND h.speaker = 'customer'), array_to_string(e.cues, '、')) AS MatchedText
              FROM call_escalations e WHERE e.id > @after ORDER BY e.id LIMIT {Batch}
            """, new { after }, cancellationToken: ct))).ToList();
        foreach (var row in rows)
        {
            await hub.Clients.Group(Roles.SupervisorsGroup).Alert(new TabooHint(row.CallId, EscalationIdOffset + row.Id, "escalation:" + row.Level,
                row.Level, "customer", row.MatchedText, null, row.At));
        }

        return rows.Count == 0 ? after : rows[^1].Id;
    }

    private sealed record EscalationRow(long Id, Guid CallId, string Level, DateTime At, string MatchedText);

    private sealed record SegmentRow(long AgentId, Guid CallId, long Id, string Speaker, int Seq, int StartMs, string Text, bool Suspect);

    private sealed record HitRow(long AgentId, Guid CallId, long Id, string RuleCode, string? Severity, string Speaker,
        string MatchedText, string? Replacement, DateTime At);
}
