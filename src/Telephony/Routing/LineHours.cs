using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Telephony.Routing;

/// <summary>One weekday's opening of a line (business_hours row; 0 = Sunday), closes exclusive.</summary>
public sealed record LineOpening(int Weekday, TimeOnly Opens, TimeOnly Closes);

/// <summary>
/// Whether a line takes calls now. A line with business_hours rows of its own is open only inside them, in the
/// centre's time zone; a public holiday (calendar_days 'holiday') closes it, and a 调休 make-up workday opens it with
/// Monday's hours when its own weekday has none. A line without rows of its own is always open: the hotline default
/// rows are the callbacks' calling window, and no seed manual gives hotline hours, so closing on them would be a guess.
/// Read per call from the database (no cache), so an admin's change holds on every node at once.
/// </summary>
public sealed class LineHours(NpgsqlDataSource db, IOptions<TelephonyOptions> options, TimeProvider time)
{
    private static readonly TimeOnly EndOfDay = new(23, 59);
    private readonly TimeZoneInfo _zone = Zone(options.Value.Calls.TimeZone);

    public async Task<bool> IsOpenAsync(int lineId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var hours = (await conn.QueryAsync<(int Weekday, TimeSpan Opens, TimeSpan Closes)>(new CommandDefinition(
                "SELECT weekday, opens, closes FROM business_hours WHERE service_line_id = @lineId", new { lineId }, cancellationToken: ct)))
            .Select(h => new LineOpening(h.Weekday, TimeOnly.FromTimeSpan(h.Opens), TimeOnly.FromTimeSpan(h.Closes))).ToList();
        if (hours.Count == 0)
        {
            return true;
        }

        var local = TimeZoneInfo.ConvertTime(time.GetUtcNow(), _zone).DateTime;
        var dayKind = await conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT kind FROM calendar_days WHERE day = @day", new { day = DateOnly.FromDateTime(local) }, cancellationToken: ct));
        return IsOpen(hours, dayKind, local);
    }

    /// <summary>The rule on its own: <paramref name="dayKind"/> is today's calendar_days kind, if any; <paramref name="local"/> the centre's wall time.</summary>
    public static bool IsOpen(IReadOnlyCollection<LineOpening> hours, string? dayKind, DateTime local)
    {
        ArgumentNullException.ThrowIfNull(hours);
        if (dayKind == "holiday")
        {
            return false;
        }

        var weekday = (int)local.DayOfWeek;
        var opening = hours.FirstOrDefault(h => h.Weekday == weekday);
        if (opening is null && dayKind == "workday")
        {
            opening = hours.FirstOrDefault(h => h.Weekday == (int)DayOfWeek.Monday);
        }

        var now = TimeOnly.FromDateTime(local);
        // The admin page's time inputs stop at 23:59: a line closing then is open until midnight.
        return opening is not null && now >= opening.Opens && (now < opening.Closes || opening.Closes >= EndOfDay);
    }

    /// <summary>The configured zone (checked at start, so this throws only for a zone nobody validated).</summary>
    public static TimeZoneInfo Zone(string id) =>
        CentreTime.TryZone(id, out var zone) ? zone
        : throw new InvalidOperationException($"Telephony:Calls:TimeZone '{id}' is not a time zone known on this host");
}
