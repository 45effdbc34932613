using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Callbacks.Policies;

/// <summary>
/// Reads policies, the working-day calendar and business hours from their tables (editable by admins) and builds
/// calling windows. The calendar is cached briefly so a sweep of thousands of attempts does not reread it each time.
/// </summary>
public sealed class PolicyCatalog(NpgsqlDataSource db, IOptions<CallbacksOptions> options, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private (WorkingCalendar Calendar, BusinessHours Hours, DateTimeOffset LoadedAt)? _cached;

    public TimeZoneInfo CentreZone { get; } = TimeZoneInfo.FindSystemTimeZoneById(options.Value.DefaultTimeZone);

    public async Task<CallbackPolicy> GetPolicyAsync(string code, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(string Code, string Mode, int Priority, int MaxAttempts, string Settings)>(
            new CommandDefinition("SELECT code, mode, priority, max_attempts, settings::text FROM callback_policies WHERE code = @code", new { code }, cancellationToken: ct));
        return row.Code is null
            ? throw new ArgumentException($"Unknown callback policy '{code}'.", nameof(code))
            : CallbackPolicy.From(row.Code, row.Mode, row.Priority, row.MaxAttempts, row.Settings);
    }

    public async Task<(WorkingCalendar Calendar, BusinessHours Hours)> GetCalendarAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_cached is { } c && now - c.LoadedAt < CacheFor)
            {
                return (c.Calendar, c.Hours);
            }
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var days = (await conn.QueryAsync<(DateTime Day, string Kind)>(new CommandDefinition("SELECT day, kind FROM calendar_days", cancellationToken: ct))).ToList();
        var calendar = new WorkingCalendar(
            days.Where(d => d.Kind == "holiday").Select(d => DateOnly.FromDateTime(d.Day)),
            days.Where(d => d.Kind == "workday").Select(d => DateOnly.FromDateTime(d.Day)));
        var hoursRows = (await conn.QueryAsync<(int Weekday, TimeSpan Opens, TimeSpan Closes)>(new CommandDefinition(
            "SELECT weekday, opens, closes FROM business_hours WHERE service_line_id IS NULL", cancellationToken: ct))).ToList();
        // No rows means nobody configured hours: fall back to "always open" and let calling hours decide.
        var hours = hoursRows.Count == 0
            ? BusinessHours.AlwaysOpen
            : new BusinessHours(hoursRows.ToDictionary(h => (DayOfWeek)h.Weekday, h => (TimeOnly.FromTimeSpan(h.Opens), TimeOnly.FromTimeSpan(h.Closes))));
        lock (_gate)
        {
            _cached = (calendar, hours, now);
        }

        return (calendar, hours);
    }

    /// <summary>Drops the cached calendar (after an admin edit, or in tests).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _cached = null;
        }
    }

    public async Task<CallingWindow> WindowAsync(CallbackPolicy policy, string? customerZone, TimeOnly? preferredStart, TimeOnly? preferredEnd, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var (calendar, hours) = await GetCalendarAsync(ct);
        var o = options.Value;
        var zone = customerZone is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(customerZone, out var z) ? z : CentreZone;
        return new CallingWindow(CentreZone, calendar, hours, policy.Settings.WorkingDaysOnly, zone, o.CallingHoursStart, o.CallingHoursEnd, preferredStart, preferredEnd);
    }
}
