using CallCenter.Agent.Web.Auth;
using CallCenter.Agent.Web.Desk;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace CallCenter.Agent.Web.Hubs;

public sealed record CallStateUpdate(Guid CallId, string State, DateTime? AnsweredAt, DateTime? EndedAt, string? Disposition);

public sealed record AgentStateUpdate(int AgentId, string State, DateTimeOffset At);

/// <summary>What the server pushes to pages; every method name is a JavaScript handler name.</summary>
public interface IAgentClient
{
    Task ScreenPop(ScreenPop pop);

    Task CallState(CallStateUpdate update);

    Task AgentState(AgentStateUpdate update);

    Task Transcript(TranscriptLine line);

    Task TabooHint(TabooHint hint);

    /// <summary>Supervisors: a taboo or escalation alert for the live feed.</summary>
    Task Alert(TabooHint hint);

    /// <summary>Supervisors: something on the wallboard changed; the page re-reads /api/wallboard.</summary>
    Task WallboardChanged(string reason);
}

/// <summary>
/// /hubs/agent. Groups come from the login's claims, never from what a client sends: its own agent group,
/// and the supervisors group for supervisors. Following a call's transcript is authorised per call.
/// </summary>
[Authorize]
public sealed class AgentHub(DeskStore desk, AuditLog audit, ILogger<AgentHub> logger) : Hub<IAgentClient>
{
    public override async Task OnConnectedAsync()
    {
        var user = Context.User!;
        await Groups.AddToGroupAsync(Context.ConnectionId, Roles.AgentGroup(user.AgentId()));
        if (user.IsInRole(Roles.Supervisor))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, Roles.SupervisorsGroup);
        }

        await base.OnConnectedAsync();
    }

    /// <summary>Follow a call's live transcript: the agent on it, or a supervisor.</summary>
    public async Task WatchCall(Guid callId)
    {
        var user = Context.User!;
        var allowed = user.IsInRole(Roles.Supervisor)
            || (user.IsInRole(Roles.Agent) && await desk.IsAgentsCallAsync(user.AgentId(), callId, Context.ConnectionAborted));
        if (!allowed)
        {
            await audit.WriteAsync(AuditLog.ActorOf(user), "access_denied", "call", callId.ToString(),
                details: new { via = "hub.WatchCall" }, ct: Context.ConnectionAborted);
            logger.LogWarning("Agent {AgentId} may not watch call {CallId}", user.AgentId(), callId);
            throw new HubException("forbidden");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, Roles.CallGroup(callId));
    }

    /// <summary>
    /// Answers once OnConnectedAsync has put the connection in its groups (SignalR runs invocations only after it):
    /// a page reads its state from the database after this, so no push falls between the two.
    /// </summary>
    public string Ready() => Context.ConnectionId;

    public Task UnwatchCall(Guid callId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, Roles.CallGroup(callId));
}
