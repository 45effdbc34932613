using System.Globalization;
using Dapper;
using Npgsql;

namespace CallCenter.Agent.Web.Desk;

public sealed record CreatedTicket(long Id, string Number);

/// <summary>The writes an agent makes during or after a call: tickets, callbacks, state, nuisance flag.</summary>
public sealed class DeskActions(NpgsqlDataSource db, TimeProvider clock)
{
    private static readonly TimeZoneInfo China = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public async Task<string> GetStateAsync(int agentId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT state FROM agents WHERE id = @agentId", new { agentId }, cancellationToken: ct)) ?? "offline";
    }

    public async Task<bool> SetStateAsync(int agentId, string state, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changed = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE agents SET state = @state, state_changed_at = now() WHERE id = @agentId AND state <> @state",
            new { agentId, state }, tx, cancellationToken: ct));
        if (changed > 0)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "INSERT INTO agent_state_changes (agent_id, state, reason) VALUES (@agentId, @state, 'web')",
                new { agentId, state }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        return changed > 0;
    }

    public async Task<CreatedTicket> CreateRepairAsync(int agentId, long customerId, long? purchaseId, string fault, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var number = "WX" + Stamp();
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO repair_orders (order_no, customer_id, purchase_id, fault_description, owner_agent_id)
            SELECT @number, @customerId, p.id, @fault, @agentId
              FROM (SELECT @purchaseId::bigint AS wanted) w
              LEFT JOIN purchases p ON p.id = w.wanted AND p.customer_id = @customerId
            RETURNING id
            """, new { number, customerId, purchaseId, fault, agentId }, cancellationToken: ct));
        return new CreatedTicket(id, number);
    }

    public async Task<CreatedTicket> CreateComplaintAsync(int agentId, long customerId, string summary, string severity,
        string problemType, string? customerRequest, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var hours = await Setting(conn, "Complaint:FirstResponseHours", 24, ct);
        var days = await Setting(conn, "Complaint:ResultWorkingDays", 3, ct);
        var now = clock.GetUtcNow();
        var resolutionDue = await AddWorkingDaysAsync(conn, now, days, ct);
        var number = "TS" + Stamp();
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO complaints (complaint_no, customer_id, problem_type, severity, summary, customer_request,
                                    handler_agent_id, first_response_due_at, resolution_due_at)
            VALUES (@number, @customerId, @problemType, @severity, @summary, @customerRequest, @agentId, @firstDue, @resolutionDue)
            RETURNING id
            """, new
        {
            number, customerId, problemType, severity, summary, customerRequest, agentId,
            firstDue = now.AddHours(hours).UtcDateTime, resolutionDue = resolutionDue.UtcDateTime,
        }, cancellationToken: ct));
        return new CreatedTicket(id, number);
    }

    public async Task<long> ScheduleCallbackAsync(string username, int agentId, long? customerId, Guid callId, string destination,
        DateTimeOffset dueAt, string? note, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        // source_id is unique per request so two callbacks for one call are possible, but a retried POST is not a second one.
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO callbacks (kind, source_type, source_id, customer_id, destination, due_at, owner_agent_id, promise_text, created_by)
            VALUES ('manual', 'manual', @sourceId, @customerId, @destination, @dueAt, @agentId, @note, @username)
            ON CONFLICT (source_type, source_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at
            RETURNING id
            """, new
        {
            sourceId = callId.ToString("N") + ":" + dueAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            customerId, destination, dueAt = dueAt.UtcDateTime, agentId, note, username,
        }, cancellationToken: ct));
    }

    public async Task<int> FlagCallerAsync(string username, string number, string reason, int expiresInDays, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        // 'flag' only marks the caller: a person confirms a block (domain.md §10.2 #3).
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            INSERT INTO blocking_rules (kind, number, action, reason, created_by, expires_at)
            VALUES ('flagged', @number, 'flag', @reason, @username, now() + make_interval(days => @expiresInDays))
            RETURNING id
            """, new { number, reason, username, expiresInDays }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<WrapUpCode>> WrapUpCodesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<WrapUpCode>(new CommandDefinition(
            "SELECT code, name_zh AS NameZh, name_en AS NameEn FROM wrap_up_codes WHERE active ORDER BY position, code",
            cancellationToken: ct))).ToList();
    }

    public async Task<long> CreateCustomerForCallerAsync(string name, string? surname, string? honorific, string number, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO customers (name, surname, honorific) VALUES (@name, @surname, @honorific) RETURNING id",
            new { name, surname, honorific }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO customer_phones (customer_id, number, is_preferred) VALUES (@id, @number, true)",
            new { id, number }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>Adds working days on the mainland calendar: weekends and holidays skipped, 调休 workdays counted.</summary>
    private static async Task<DateTimeOffset> AddWorkingDaysAsync(NpgsqlConnection conn, DateTimeOffset from, int days, CancellationToken ct)
    {
        var local = TimeZoneInfo.ConvertTime(from, China);
        var start = DateOnly.FromDateTime(local.DateTime);
        var calendar = (await conn.QueryAsync<CalendarRow>(new CommandDefinition(
            "SELECT day, kind FROM calendar_days WHERE day > @start AND day <= @end",
            new { start, end = start.AddDays(days * 3 + 30) }, cancellationToken: ct))).ToDictionary(d => d.Day, d => d.Kind);
        var day = start;
        for (var counted = 0; counted < days;)
        {
            day = day.AddDays(1);
            var working = calendar.TryGetValue(day, out var kind)
                ? kind == "workday"
                : day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
            counted += working ? 1 : 0;
        }

        return local.AddDays(day.DayNumber - start.DayNumber);
    }

    private static async Task<int> Setting(NpgsqlConnection conn, string key, int fallback, CancellationToken ct)
    {
        var raw = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT value::text FROM settings WHERE key = @key", new { key }, cancellationToken: ct));
        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }

    private sealed record CalendarRow(DateOnly Day, string Kind);

    private string Stamp() => TimeZoneInfo.ConvertTime(clock.GetUtcNow(), China)
        .ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
}

public sealed record WrapUpCode(string Code, string NameZh, string NameEn);
