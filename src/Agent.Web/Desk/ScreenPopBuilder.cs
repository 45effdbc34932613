using CallCenter.Agent.Web.Customers;
using Dapper;
using Npgsql;

namespace CallCenter.Agent.Web.Desk;

public sealed record NuisanceInfo(bool Flagged, IReadOnlyList<string> Reasons, int CallsLastHour);

public sealed record EarlierCall(Guid CallId, DateTime StartedAt, string? LineCode, string? Disposition,
    string? WrapUpCode, string? Excerpt);

public sealed record TranscriptLine(Guid CallId, long Id, string Speaker, int Seq, int StartMs, string Text, bool Suspect);

public sealed record TabooHint(Guid CallId, long Id, string RuleCode, string? Severity, string Speaker,
    string MatchedText, string? Replacement, DateTime At);

/// <summary>
/// The callback an outbound agent-first call is for, shown before the agent answers. Reason is the callback's
/// promise text or the note it was scheduled with; LastNote the latest note of an earlier attempt.
/// </summary>
public sealed record CallbackContext(long CallbackId, long AttemptId, int AttemptNo, int MaxAttempts, string Kind,
    string KindNameZh, string SourceType, string SourceId, string? Reason, string? LastNote, DateTime DueAt, long? CustomerId);

/// <summary>Everything the agent sees when the phone rings, built from the database (the truth).</summary>
public sealed record ScreenPop(DeskCall Call, string? LineNameZh, string? LineNameEn, string? AgentEmployeeNo,
    CustomerDetail? Customer, int CustomerMatches, NuisanceInfo Nuisance, IReadOnlyList<EarlierCall> EarlierCalls,
    IReadOnlyList<TranscriptLine> Transcript, IReadOnlyList<TabooHint> Hints, CallbackContext? Callback);

/// <summary>Assembles a <see cref="ScreenPop"/>; the caller directory does the customer part.</summary>
public sealed class ScreenPopBuilder(NpgsqlDataSource db, CustomerDirectory customers, TimeProvider clock)
{
    private const int ExcerptLength = 40;

    public async Task<ScreenPop> BuildAsync(DeskCall call, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetLocalNow().DateTime);
        CustomerDetail? customer = null;
        var matches = 0;
        await using var conn = await db.OpenConnectionAsync(ct);
        // The dialer writes the calls row (with its callback attempt) before it rings the agent, so the context
        // is in the database for the push and for /api/desk/current alike, whichever node serves them.
        var callback = await conn.QuerySingleOrDefaultAsync<CallbackContext>(new CommandDefinition(CallbackQuery,
            new { call.CallId }, cancellationToken: ct));
        if ((call.CustomerId ?? callback?.CustomerId) is { } id)
        {
            customer = await customers.GetAsync(id, today, ct);
        }

        if (call.CallerNumber is { } caller)
        {
            matches = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT count(DISTINCT customer_id)::int FROM customer_phones WHERE number = @caller", new { caller }, cancellationToken: ct));
        }

        var line = await conn.QuerySingleOrDefaultAsync<(string NameZh, string NameEn)?>(new CommandDefinition(
            "SELECT name_zh, name_en FROM service_lines WHERE code = @LineCode", new { call.LineCode }, cancellationToken: ct));
        var employeeNo = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT employee_no FROM agents WHERE id = @AgentId", new { call.AgentId }, cancellationToken: ct));
        var nuisance = await Nuisance(conn, call.CallerNumber, ct);
        var earlier = call.CallerNumber is null ? [] : (await conn.QueryAsync<EarlierCall>(new CommandDefinition($"""
            SELECT c.id AS CallId, c.started_at AS StartedAt, l.code AS LineCode, c.disposition, c.wrap_up_code AS WrapUpCode,
                   (SELECT left(s.text, {ExcerptLength}) FROM transcript_segments s
                     WHERE s.call_id = c.id AND s.speaker = 'customer' AND NOT s.suspect ORDER BY s.seq LIMIT 1) AS Excerpt
              FROM calls c LEFT JOIN service_lines l ON l.id = c.service_line_id
             WHERE c.caller_number = @caller AND c.id <> @CallId
             ORDER BY c.started_at DESC LIMIT 5
            """, new { caller = call.CallerNumber, call.CallId }, cancellationToken: ct))).ToList();
        var transcript = (await conn.QueryAsync<TranscriptLine>(new CommandDefinition("""
            SELECT call_id AS CallId, id, speaker, seq, start_ms AS StartMs, text, suspect
              FROM transcript_segments WHERE call_id = @CallId ORDER BY start_ms, id LIMIT 500
            """, new { call.CallId }, cancellationToken: ct))).ToList();
        var hints = (await conn.QueryAsync<TabooHint>(new CommandDefinition($"""
            SELECT {TabooHintColumns} WHERE h.call_id = @CallId ORDER BY h.id LIMIT 100
            """, new { call.CallId }, cancellationToken: ct))).ToList();

        return new ScreenPop(call, line?.NameZh, line?.NameEn, employeeNo, customer, matches, nuisance, earlier, transcript, hints, callback);
    }

    private const string CallbackQuery = """
        SELECT cb.id AS CallbackId, a.id AS AttemptId, a.attempt_no AS AttemptNo, p.max_attempts AS MaxAttempts, cb.kind,
               p.name_zh AS KindNameZh, cb.source_type AS SourceType, cb.source_id AS SourceId, cb.promise_text AS Reason,
               (SELECT n.notes FROM callback_attempts n
                 WHERE n.callback_id = cb.id AND n.id <> a.id AND n.notes IS NOT NULL
                 ORDER BY n.attempt_no DESC LIMIT 1) AS LastNote,
               cb.due_at AS DueAt, cb.customer_id AS CustomerId
          FROM calls c
          JOIN callback_attempts a ON a.id = c.callback_attempt_id
          JOIN callbacks cb ON cb.id = a.callback_id
          JOIN callback_policies p ON p.code = cb.kind
         WHERE c.id = @CallId
        """;

    /// <summary>Columns and joins of a taboo hint; shared with the live relay.</summary>
    public const string TabooHintColumns = """
        h.call_id AS CallId, h.id, r.code AS RuleCode, r.severity, h.speaker, h.matched_text AS MatchedText,
        r.replacement, h.created_at AS At
          FROM screening_hits h JOIN screening_rules r ON r.id = h.rule_id
        """;

    private static async Task<NuisanceInfo> Nuisance(NpgsqlConnection conn, string? caller, CancellationToken ct)
    {
        if (caller is null)
        {
            return new NuisanceInfo(false, [], 0);
        }

        var reasons = (await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT reason FROM blocking_rules
             WHERE enabled AND (expires_at IS NULL OR expires_at > now())
               AND ((kind IN ('exact','flagged') AND number = @caller) OR (kind = 'prefix' AND starts_with(@caller, number)))
             ORDER BY created_at DESC LIMIT 5
            """, new { caller }, cancellationToken: ct))).ToList();
        var lastHour = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM calls WHERE caller_number = @caller AND started_at > now() - interval '1 hour'",
            new { caller }, cancellationToken: ct));
        return new NuisanceInfo(reasons.Count > 0, reasons, lastHour);
    }
}
