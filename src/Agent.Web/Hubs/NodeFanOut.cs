using System.Text.Json;
using System.Threading.Channels;
using CallCenter.Agent.Web.Auth;
using CallCenter.Agent.Web.Desk;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace CallCenter.Agent.Web.Hubs;

/// <summary>What one node tells the others about a push it made to its own hub connections.</summary>
public sealed record FanOutMessage(Guid Origin, string Kind, Guid CallId, int AgentId, int? PreviousAgentId, string? State,
    DateTimeOffset At, string? Reason);

/// <summary>
/// SignalR groups live in one process, but an agent's browser may be connected to another node than the one
/// whose softswitch rang the phone. Each push is also announced with PostgreSQL NOTIFY; every other node
/// re-reads the desk row (the truth) and pushes to its own connections. No backplane package is needed.
/// </summary>
public sealed class NodeFanOut(
    NpgsqlDataSource db,
    DeskStore desk,
    ScreenPopBuilder pops,
    IHubContext<AgentHub, IAgentClient> hub,
    ILogger<NodeFanOut> logger) : BackgroundService
{
    private const string ChannelName = "callcenter_web";
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Notifications arrive on the listening connection's thread; slow work goes behind this bounded queue.
    private readonly Channel<string> _inbox = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    /// <summary>Identifies this process, so a node ignores its own announcements (node names may repeat).</summary>
    public Guid NodeId { get; } = Guid.NewGuid();

    /// <summary>Completes once this node receives announcements.</summary>
    public Task Listening => _listening.Task;

    public async Task AnnounceAsync(FanOutMessage message, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT pg_notify($1, $2)");
        cmd.Parameters.AddWithValue(ChannelName);
        cmd.Parameters.AddWithValue(JsonSerializer.Serialize(message, JsonSerializerOptions.Web));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var worker = Task.Run(() => HandleInboxAsync(stoppingToken), CancellationToken.None);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(stoppingToken);
                conn.Notification += (_, e) => _inbox.Writer.TryWrite(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChannelName}", conn))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                _listening.TrySetResult();
                while (true)
                {
                    await conn.WaitAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Lost the {Channel} listener; reconnecting", ChannelName);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _inbox.Writer.TryComplete();
        await worker;
    }

    private async Task HandleInboxAsync(CancellationToken ct)
    {
        await foreach (var payload in _inbox.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                var m = JsonSerializer.Deserialize<FanOutMessage>(payload, JsonSerializerOptions.Web);
                if (m is not null && m.Origin != NodeId)
                {
                    await PushLocallyAsync(m, ct);
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogError(ex, "Could not relay an announcement from another node");
            }
        }
    }

    private async Task PushLocallyAsync(FanOutMessage m, CancellationToken ct)
    {
        switch (m.Kind)
        {
            case "ring" when await desk.GetAsync(m.CallId, ct) is { } call && call.AgentId == m.AgentId:
                await hub.Clients.Group(Roles.AgentGroup(m.AgentId)).ScreenPop(await pops.BuildAsync(call, ct));
                if (m.PreviousAgentId is { } previous)
                {
                    await hub.Clients.Group(Roles.AgentGroup(previous)).CallState(new CallStateUpdate(m.CallId, "missed", null, null, "rerouted"));
                }

                break;
            case "call" when await desk.GetAsync(m.CallId, ct) is { } call:
                await hub.Clients.Groups(Roles.AgentGroup(call.AgentId), Roles.CallGroup(call.CallId))
                    .CallState(new CallStateUpdate(call.CallId, call.State, call.AnsweredAt, call.EndedAt, call.Disposition));
                break;
            case "agent":
                await hub.Clients.Group(Roles.AgentGroup(m.AgentId)).AgentState(new AgentStateUpdate(m.AgentId, m.State ?? "offline", m.At));
                break;
        }

        if (m.Reason is { } reason)
        {
            await hub.Clients.Group(Roles.SupervisorsGroup).WallboardChanged(reason);
        }
    }
}
