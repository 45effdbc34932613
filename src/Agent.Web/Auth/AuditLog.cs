using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace CallCenter.Agent.Web.Auth;

/// <summary>
/// Appends security-relevant actions to audit_log (reliability.md §4: logins, failures, authorisation
/// failures, blocking-rule and configuration edits, transcript views). Never holds transcript content.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource db, ILogger<AuditLog> logger)
{
    public async Task WriteAsync(string actor, string action, string? targetType = null, string? targetId = null,
        string? reason = null, IPAddress? sourceIp = null, object? details = null, CancellationToken ct = default)
    {
        try
        {
            await using var cmd = db.CreateCommand("""
                INSERT INTO audit_log (actor, action, target_type, target_id, reason, source_ip, details)
                VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
                """);
            cmd.Parameters.AddWithValue(actor);
            cmd.Parameters.AddWithValue(action);
            cmd.Parameters.AddWithValue((object?)targetType ?? DBNull.Value);
            cmd.Parameters.AddWithValue((object?)targetId ?? DBNull.Value);
            cmd.Parameters.AddWithValue((object?)reason ?? DBNull.Value);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)sourceIp ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Inet });
            cmd.Parameters.AddWithValue(JsonSerializer.Serialize(details ?? new { }, JsonSerializerOptions.Web));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (NpgsqlException ex)
        {
            // The action itself already happened or was refused; a lost audit row must at least be visible.
            logger.LogError(ex, "Could not write audit entry {Action} by {Actor}", action, actor);
        }
    }

    public Task WriteAsync(HttpContext http, string action, string? targetType = null, string? targetId = null,
        string? reason = null, object? details = null) =>
        WriteAsync(ActorOf(http.User), action, targetType, targetId, reason, http.Connection.RemoteIpAddress, details,
            http.RequestAborted);

    public static string ActorOf(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true
        ? user.Identity.Name ?? "unknown"
        : "anonymous";
}
