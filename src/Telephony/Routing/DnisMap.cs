using Dapper;
using Npgsql;

namespace CallCenter.Telephony.Routing;

/// <summary>The service line a toll-free number belongs to.</summary>
public sealed record ServiceLine(int Id, string Code, string? WelcomePrompt);

/// <summary>Dialed number (Request-URI user, digits) → service line, read from toll_free_numbers (the DB is the truth).</summary>
public sealed class DnisMap(NpgsqlDataSource dataSource)
{
    public async Task<ServiceLine?> LookupAsync(string dialedDigits, CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        return await conn.QuerySingleOrDefaultAsync<ServiceLine>(new CommandDefinition(
            """
            SELECT l.id AS Id, l.code AS Code, l.welcome_prompt AS WelcomePrompt
              FROM toll_free_numbers n JOIN service_lines l ON l.id = n.service_line_id
             WHERE n.number = @dialedDigits AND n.active AND l.active
            """, new { dialedDigits }, cancellationToken: cancellationToken));
    }
}
