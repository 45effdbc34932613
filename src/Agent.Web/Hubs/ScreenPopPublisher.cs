using System.Diagnostics;
using System.Diagnostics.Metrics;
using CallCenter.Agent.Web.Auth;
using CallCenter.Agent.Web.Desk;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Outbound;
using Microsoft.AspNetCore.SignalR;

namespace CallCenter.Agent.Web.Hubs;

/// <summary>
/// Turns call events into pushes: AgentRinging becomes a screen-pop to that agent's group (claims-derived),
/// answer/hang-up update the desk, and supervisors are told the wallboard changed. The desk row is written
/// before the push, so a page that missed the push finds the pop in the database when it reconnects.
/// </summary>
public sealed class ScreenPopPublisher(
    CallEventBus bus,
    DeskStore desk,
    ScreenPopBuilder pops,
    IHubContext<AgentHub, IAgentClient> hub,
    NodeFanOut fanOut,
    IMeterFactory meters,
    ILogger<ScreenPopPublisher> logger) : BackgroundService
{
    private readonly Histogram<double> _popDuration = meters.Create("CallCenter.Web")
        .CreateHistogram<double>("callcenter.web.screen_pop.duration", "ms", "Event received to pop sent to the hub");

    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once events published from now on will reach this service (tests and benchmarks wait on it).</summary>
    public Task Subscribed => _subscribed.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var events = bus.SubscribeAsync(cancellationToken: stoppingToken).GetAsyncEnumerator(stoppingToken);
        await using var _ = events;
        // The first MoveNextAsync runs the subscription up to its first wait, so the channel is registered here.
        var next = events.MoveNextAsync();
        _subscribed.TrySetResult();
        while (await next)
        {
            var e = events.Current;
            next = default;
            try
            {
                await HandleAsync(e, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // One bad event (or a database hiccup) must not stop the pops for everyone else, nor the host.
                logger.LogError(ex, "Could not handle {EventType} for call {CallId}", e.GetType().Name, e.CallId);
            }

            next = events.MoveNextAsync();
        }
    }

    private async Task HandleAsync(CallEvent e, CancellationToken ct)
    {
        FanOutMessage? announce = null;
        switch (e)
        {
            case AgentRinging ringing:
                var started = Stopwatch.GetTimestamp();
                var (call, previous) = await desk.RingAsync(ringing, ct);
                var pop = await pops.BuildAsync(call, ct);
                await hub.Clients.Group(Roles.AgentGroup(ringing.AgentId)).ScreenPop(pop);
                _popDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                logger.LogInformation("Screen-pop for call {CallId} sent to agent {AgentId}", call.CallId, call.AgentId);
                if (previous is { } other)
                {
                    await hub.Clients.Group(Roles.AgentGroup(other))
                        .CallState(new CallStateUpdate(call.CallId, "missed", null, null, "rerouted"));
                }

                await hub.Clients.Group(Roles.SupervisorsGroup).WallboardChanged("ringing");
                announce = Message("ring", e, call.AgentId, previous, null, "ringing");
                break;
            case CallbackRinging callback:
                // Published just before AgentRinging; the pop reads the same ids from the calls row the dialer wrote,
                // so it survives a reconnect. Here it only leaves a trace (number masked by the dialer).
                logger.LogInformation("Callback {CallbackId} attempt {AttemptId} ({Kind}) rings an agent for call {CallId}",
                    callback.CallbackId, callback.CallbackAttemptId, callback.Kind, callback.CallId);
                break;
            case CallAnswered answered:
                var connected = await PushState(await desk.AnsweredAsync(answered, ct));
                await hub.Clients.Group(Roles.SupervisorsGroup).WallboardChanged("answered");
                announce = Message("call", e, connected?.AgentId ?? 0, null, null, "answered");
                break;
            case CallEnded ended:
                var gone = await PushState(await desk.EndedAsync(ended, ct));
                await hub.Clients.Group(Roles.SupervisorsGroup).WallboardChanged("ended");
                announce = Message("call", e, gone?.AgentId ?? 0, null, null, "ended");
                break;
            case AgentStateChanged state:
                await hub.Clients.Group(Roles.AgentGroup(state.AgentId)).AgentState(new AgentStateUpdate(state.AgentId, state.State, state.At));
                await hub.Clients.Group(Roles.SupervisorsGroup).WallboardChanged("agent");
                announce = Message("agent", e, state.AgentId, null, state.State, "agent");
                break;
            case CallOffered or CallQueued or CallRejected:
                await hub.Clients.Group(Roles.SupervisorsGroup).WallboardChanged("queue");
                announce = Message("queue", e, 0, null, null, "queue");
                break;
        }

        if (announce is not null)
        {
            // Other nodes push the same news to the browsers connected to them.
            await fanOut.AnnounceAsync(announce, ct);
        }
    }

    private FanOutMessage Message(string kind, CallEvent e, int agentId, int? previous, string? state, string reason) =>
        new(fanOut.NodeId, kind, e.CallId, agentId, previous, state, e.At, reason);

    private async Task<DeskCall?> PushState(DeskCall? call)
    {
        if (call is null)
        {
            return null; // not a call any agent had on the desk (e.g. abandoned in the queue)
        }

        var update = new CallStateUpdate(call.CallId, call.State, call.AnsweredAt, call.EndedAt, call.Disposition);
        await hub.Clients.Groups(Roles.AgentGroup(call.AgentId), Roles.CallGroup(call.CallId)).CallState(update);
        return call;
    }
}
