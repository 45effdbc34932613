using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Agent.Web.Auth;

public sealed record AgentAccount(int Id, string Username, string DisplayName, string? EmployeeNo, IReadOnlyList<string> Roles);

public enum LoginOutcome
{
    Success,
    BadCredentials,
    LockedOut,
    /// <summary>This attempt was the last failure allowed: the account is now locked.</summary>
    LockedNow,
}

public sealed record LoginResult(LoginOutcome Outcome, AgentAccount? Account);

/// <summary>Checks web passwords (ASP.NET Core PasswordHasher, as the demo seeder stores them) with lock-out.</summary>
public sealed class AccountStore(NpgsqlDataSource db, IOptions<WebOptions> options, TimeProvider clock)
{
    private static readonly PasswordHasher<string> Hasher = new();

    // Verifying against a fixed hash for unknown users keeps their timing close to a real check (account enumeration).
    private static readonly string DummyHash = Hasher.HashPassword("nobody", "not-a-password");

    public async Task<LoginResult> CheckAsync(string username, string password, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        Row? row = null;
        await using (var cmd = new NpgsqlCommand("""
            SELECT id, username, display_name, employee_no, roles, password_hash, failed_logins, locked_until, active
              FROM agents WHERE username = $1 FOR UPDATE
            """, conn, tx))
        {
            cmd.Parameters.AddWithValue(username);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (await r.ReadAsync(ct))
            {
                row = new Row(r.GetInt32(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                    r.GetFieldValue<string[]>(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetInt32(6),
                    r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7), r.GetBoolean(8));
            }
        }

        var now = clock.GetUtcNow();
        if (row is null || !row.Active || row.PasswordHash is null)
        {
            Hasher.VerifyHashedPassword("nobody", DummyHash, password);
            return new LoginResult(LoginOutcome.BadCredentials, null);
        }

        if (row.LockedUntil is { } until && until > now)
        {
            return new LoginResult(LoginOutcome.LockedOut, null);
        }

        var verdict = Hasher.VerifyHashedPassword(row.Username, row.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            var failures = row.FailedLogins + 1;
            var lockNow = failures >= options.Value.MaxFailedLogins;
            await using var fail = new NpgsqlCommand(
                "UPDATE agents SET failed_logins = $2, locked_until = $3 WHERE id = $1", conn, tx);
            fail.Parameters.AddWithValue(row.Id);
            fail.Parameters.AddWithValue(lockNow ? 0 : failures);
            fail.Parameters.AddWithValue(lockNow ? now.AddMinutes(options.Value.LockoutMinutes) : (object)DBNull.Value);
            await fail.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            return new LoginResult(lockNow ? LoginOutcome.LockedNow : LoginOutcome.BadCredentials, null);
        }

        await using (var ok = new NpgsqlCommand(
            "UPDATE agents SET failed_logins = 0, locked_until = NULL, password_hash = COALESCE($2, password_hash) WHERE id = $1", conn, tx))
        {
            ok.Parameters.AddWithValue(row.Id);
            ok.Parameters.AddWithValue(verdict == PasswordVerificationResult.SuccessRehashNeeded
                ? Hasher.HashPassword(row.Username, password) : DBNull.Value);
            await ok.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return new LoginResult(LoginOutcome.Success, new AgentAccount(row.Id, row.Username, row.DisplayName, row.EmployeeNo, row.Roles));
    }

    private sealed record Row(int Id, string Username, string DisplayName, string? EmployeeNo, string[] Roles,
        string? PasswordHash, int FailedLogins, DateTimeOffset? LockedUntil, bool Active);
}
