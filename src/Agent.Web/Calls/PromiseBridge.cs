using CallCenter.Callbacks.Requests;
using CallCenter.Telephony.Calls;
using Dapper;
using Npgsql;

namespace CallCenter.Agent.Web.Calls;

/// <summary>
/// Turns an agent's spoken promise (<see cref="PromiseDetected"/>, raised by the live pipeline) into a callback request
/// due at the promised time. Lives in the host because Telephony must not reference Callbacks. Keyed by call, segment and
/// rule, so an event seen twice adds nothing.
/// </summary>
public sealed partial class PromiseBridge(CallEventBus bus, CallbackRequests requests, NpgsqlDataSource db, ILogger<PromiseBridge> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var e in bus.SubscribeAsync(cancellationToken: stoppingToken))
        {
            if (e is not PromiseDetected promise)
            {
                continue;
            }

            try
            {
                await HandleAsync(promise, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // One bad promise never stops the bridge.
                LogFailed(logger, ex, promise.CallId);
            }
        }
    }

    /// <summary>Creates the callback for one promise; null when the call has no agent or no number to call back.</summary>
    public async Task<CallbackCreation?> HandleAsync(PromiseDetected promise, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(promise);
        await using var conn = await db.OpenConnectionAsync(ct);
        var call = await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition("""
            SELECT COALESCE(d.agent_id, c.agent_id) AS AgentId, c.caller_number AS CallerNumber, c.customer_id AS CustomerId
              FROM calls c LEFT JOIN agent_desk_calls d ON d.call_id = c.id WHERE c.id = @CallId
            """, new { promise.CallId }, cancellationToken: ct));
        if (call?.AgentId is not { } agentId || string.IsNullOrEmpty(call.CallerNumber))
        {
            LogSkipped(logger, promise.CallId);
            return null;
        }

        var key = $"{promise.CallId:N}:{promise.SegmentId}:{promise.PromiseCode}";
        var created = await requests.AgentPromiseAsync(key, promise.DueAt, agentId, call.CallerNumber, call.CustomerId, promise.Sentence, promise.SegmentId, ct);
        LogCreated(logger, promise.CallId, created.CallbackId, promise.DueAt);
        return created;
    }

    private sealed record CallRow(int? AgentId, string? CallerNumber, long? CustomerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Promise on call {CallId}: callback {CallbackId} due {DueAt}")]
    private static partial void LogCreated(ILogger logger, Guid callId, long? callbackId, DateTimeOffset dueAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Promise on call {CallId} has no agent or caller number; no callback created")]
    private static partial void LogSkipped(ILogger logger, Guid callId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Promise on call {CallId} could not be turned into a callback")]
    private static partial void LogFailed(ILogger logger, Exception ex, Guid callId);
}
