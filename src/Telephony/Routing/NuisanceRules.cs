using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CallCenter.Telephony.Routing;

public enum NuisanceAction
{
    Allow,
    Reject,
    Announce,
}

/// <summary>The outcome for one call; RuleId is the rule that decided (null when none matched).</summary>
public sealed record NuisanceDecision(NuisanceAction Action, int RejectCode, int? RuleId, string? RuleKind, string? Reason);

/// <summary>
/// Evaluates the blocking_rules before a call is answered (domain.md §10.2). Rate-type rules (rate, short_calls)
/// never block a caller with an open repair order or complaint. Every matching rule's decision is stored in
/// blocking_decisions with the rule id, so a supervisor can see why a number was blocked or let through.
/// </summary>
public sealed partial class NuisanceRules(NpgsqlDataSource dataSource, ILogger<NuisanceRules> logger)
{
    private sealed record Rule(int Id, string Kind, string? Number, int? MaxCalls, int? WindowMinutes, int? ShortCallSeconds,
        string Action, int RejectCode, string Reason);

    public async Task<NuisanceDecision> EvaluateAsync(string? caller, string dialed, int serviceLineId, Guid callId, string node,
        CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        var rules = (await conn.QueryAsync<Rule>(new CommandDefinition(
            """
            SELECT id AS Id, kind AS Kind, number AS Number, max_calls AS MaxCalls, window_minutes AS WindowMinutes,
                   short_call_seconds AS ShortCallSeconds, action AS Action, reject_code AS RejectCode, reason AS Reason
              FROM blocking_rules
             WHERE enabled AND (expires_at IS NULL OR expires_at > now())
               AND (service_line_id IS NULL OR service_line_id = @serviceLineId)
             ORDER BY CASE kind WHEN 'exact' THEN 0 WHEN 'flagged' THEN 1 WHEN 'prefix' THEN 2 WHEN 'anonymous' THEN 3
                                WHEN 'rate' THEN 4 ELSE 5 END, id
            """, new { serviceLineId }, cancellationToken: cancellationToken))).ToList();

        bool? openTicket = null;
        NuisanceDecision? flagOnly = null;
        foreach (var rule in rules)
        {
            if (!await MatchesAsync(conn, rule, caller, callId, cancellationToken))
            {
                continue;
            }

            if (rule.Kind is "rate" or "short_calls" && caller is not null)
            {
                openTicket ??= await HasOpenTicketAsync(conn, caller, cancellationToken);
                if (openTicket.Value)
                {
                    await StoreAsync(conn, caller, dialed, rule.Id, "allow", true, "open repair order or complaint", callId, node, cancellationToken);
                    LogExempted(rule.Id, rule.Kind, callId);
                    continue;
                }
            }

            if (rule.Action == "flag")
            {
                // Flagging records the match and lets the call through; a person decides about a block.
                await StoreAsync(conn, caller, dialed, rule.Id, "flag", false, null, callId, node, cancellationToken);
                flagOnly ??= new NuisanceDecision(NuisanceAction.Allow, 0, rule.Id, rule.Kind, rule.Reason);
                continue;
            }

            await StoreAsync(conn, caller, dialed, rule.Id, rule.Action, false, null, callId, node, cancellationToken);
            LogBlocked(rule.Id, rule.Kind, rule.Action, callId);
            return new NuisanceDecision(rule.Action == "announce" ? NuisanceAction.Announce : NuisanceAction.Reject,
                rule.RejectCode, rule.Id, rule.Kind, rule.Reason);
        }

        return flagOnly ?? new NuisanceDecision(NuisanceAction.Allow, 0, null, null, null);
    }

    private static async Task<bool> MatchesAsync(NpgsqlConnection conn, Rule rule, string? caller, Guid callId, CancellationToken ct)
    {
        switch (rule.Kind)
        {
            case "anonymous":
                return caller is null;
            case "exact" or "flagged":
                return caller is not null && caller == rule.Number;
            case "prefix":
                return caller is not null && rule.Number is not null && caller.StartsWith(rule.Number, StringComparison.Ordinal);
            case "rate" when caller is not null:
                // "More than N calls in M minutes": N earlier calls in the window make this one the N+1th.
                var recent = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
                    """
                    SELECT count(*) FROM calls
                     WHERE caller_number = @caller AND direction = 'inbound' AND id <> @callId
                       AND started_at > now() - make_interval(mins => @window)
                    """, new { caller, callId, window = rule.WindowMinutes ?? 0 }, cancellationToken: ct));
                return recent >= rule.MaxCalls;
            case "short_calls" when caller is not null:
                var shortCalls = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
                    """
                    SELECT count(*) FROM calls
                     WHERE caller_number = @caller AND direction = 'inbound' AND id <> @callId
                       AND started_at > now() - make_interval(mins => @window)
                       AND ended_at IS NOT NULL AND ended_by = 'caller'
                       AND ended_at - started_at < make_interval(secs => @seconds)
                    """, new { caller, callId, window = rule.WindowMinutes ?? 0, seconds = (double)(rule.ShortCallSeconds ?? 0) },
                    cancellationToken: ct));
                return shortCalls >= rule.MaxCalls;
            default:
                return false;
        }
    }

    private static Task<bool> HasOpenTicketAsync(NpgsqlConnection conn, string caller, CancellationToken ct) =>
        conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (
                SELECT 1 FROM customer_phones p JOIN repair_orders r ON r.customer_id = p.customer_id
                 WHERE p.number = @caller AND r.status NOT IN ('closed','cancelled','picked_up'))
                OR EXISTS (
                SELECT 1 FROM customer_phones p JOIN complaints c ON c.customer_id = p.customer_id
                 WHERE p.number = @caller AND c.status IN ('open','in_progress'))
            """, new { caller }, cancellationToken: ct));

    private static Task<int> StoreAsync(NpgsqlConnection conn, string? caller, string dialed, int ruleId, string action, bool exempted,
        string? exemptionReason, Guid callId, string node, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO blocking_decisions (caller_number, dialed_number, rule_id, action, exempted, exemption_reason, call_id, node)
            VALUES (@caller, @dialed, @ruleId, @action, @exempted, @exemptionReason, @callId, @node)
            """, new { caller, dialed, ruleId, action, exempted, exemptionReason, callId, node }, cancellationToken: ct));

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} blocked by nuisance rule {RuleId} ({RuleKind}), action {Action}")]
    private partial void LogBlocked(int ruleId, string ruleKind, string action, Guid callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} matched rate rule {RuleId} ({RuleKind}) but the caller has an open ticket: allowed")]
    private partial void LogExempted(int ruleId, string ruleKind, Guid callId);
}
