using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;

namespace CallCenter.Agent.Web.Auth;

/// <summary>
/// Ends the web sessions of deactivated accounts: each cookie is re-checked against <c>agents.active</c> at most every
/// <see cref="CheckEvery"/> per account (every node shares the database), and at once on the node that deactivated it.
/// </summary>
public sealed class ActiveAccounts(NpgsqlDataSource db, TimeProvider time)
{
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<int, (bool Active, DateTimeOffset CheckedAt)> _checked = new();

    public void Forget(int agentId) => _checked.TryRemove(agentId, out _);

    public async Task<bool> IsActiveAsync(int agentId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_checked.TryGetValue(agentId, out var c) && now - c.CheckedAt < CheckEvery)
        {
            return c.Active;
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var active = await conn.ExecuteScalarAsync<bool?>(new CommandDefinition("SELECT active FROM agents WHERE id = @agentId",
            new { agentId }, cancellationToken: ct)) ?? false;
        _checked[agentId] = (active, now);
        return active;
    }

    /// <summary>Cookie event: a session of an inactive (or deleted) account is rejected and its cookie removed.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null || !int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var agentId))
        {
            return;
        }

        var accounts = context.HttpContext.RequestServices.GetRequiredService<ActiveAccounts>();
        if (!await accounts.IsActiveAsync(agentId, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}
