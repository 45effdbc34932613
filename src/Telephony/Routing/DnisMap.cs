using Dapper;
using Npgsql;

namespace CallCenter.Telephony.Routing;

/// <summary>The service line a toll-free number belongs to, with the per-line call handling limits admins edit.</summary>
public sealed record ServiceLine(int Id, string Code, string? WelcomePrompt, int RingTimeoutSeconds = 20, int MaxWaitSeconds = 180);

/// <summary>
/// Dialed number (Request-URI user, digits) → service line, read from toll_free_numbers on every call. Deliberately
/// not cached: several nodes share the database, and an admin's edit of a line or number takes effect on the next call.
/// </summary>
public sealed class DnisMap(NpgsqlDataSource dataSource)
{
    public async Task<ServiceLine?> LookupAsync(string dialedDigits, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        return await conn.QuerySingleOrDefaultAsync<ServiceLine>(new CommandDefinition(
            """
            SELECT l.id AS Id, l.code AS Code, l.welcome_prompt AS WelcomePrompt,
                   l.ring_timeout_seconds AS RingTimeoutSeconds, l.max_wait_seconds AS MaxWaitSeconds
              FROM toll_free_numbers n JOIN service_lines l ON l.id = n.service_line_id
             WHERE n.number = @dialedDigits AND n.active AND l.active
            """, new { dialedDigits }, cancellationToken: cancellationToken));
    }

    /// <summary>The line of a REFER target (one of its toll-free numbers, or its code), for transfers between lines.</summary>
    public async Task<ServiceLine?> LineOfTargetAsync(string numberOrCode, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        return await conn.QueryFirstOrDefaultAsync<ServiceLine>(new CommandDefinition(
            """
            SELECT l.id AS Id, l.code AS Code, l.welcome_prompt AS WelcomePrompt,
                   l.ring_timeout_seconds AS RingTimeoutSeconds, l.max_wait_seconds AS MaxWaitSeconds
              FROM service_lines l
             WHERE l.active AND (l.code = @numberOrCode
                OR EXISTS (SELECT 1 FROM toll_free_numbers n WHERE n.service_line_id = l.id AND n.active AND n.number = @numberOrCode))
            """, new { numberOrCode }, cancellationToken: cancellationToken));
    }
}
