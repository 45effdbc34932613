using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.Telephony.Tests.Agents;

/// <summary>ACD agent choice on the real PostgreSQL schema (each test on its own service line).</summary>
[Collection(SoftswitchGroup.Name)]
public sealed class AgentSelectorTests(SoftswitchFixture fx)
{
    private AgentSelector Selector => fx.Services.GetRequiredService<AgentSelector>();

    private async Task<int> NewLineAsync()
    {
        var code = "acd" + Guid.NewGuid().ToString("N")[..8];
        return await fx.QuerySingleAsync<int>(
            "INSERT INTO service_lines (code, name_zh, name_en) VALUES (@code, '测试', 'ACD test') RETURNING id", new { code });
    }

    /// <summary>An agent with the given state, idle since <paramref name="idleMinutes"/> ago, optionally skilled and registered.</summary>
    private async Task<int> AgentAsync(int lineId, string state, int idleMinutes, bool skilled = true, bool registered = true)
    {
        var name = "acd" + Guid.NewGuid().ToString("N")[..10];
        var id = await fx.QuerySingleAsync<int>(
            """
            INSERT INTO agents (username, display_name, sip_username, state, state_changed_at)
            VALUES (@name, @name, @name, @state, now() - make_interval(mins => @idleMinutes)) RETURNING id
            """, new { name, state, idleMinutes });
        if (skilled)
        {
            await fx.ExecuteAsync("INSERT INTO agent_skills (agent_id, service_line_id) VALUES (@id, @lineId)", new { id, lineId });
        }

        if (registered)
        {
            await fx.ExecuteAsync(
                """
                INSERT INTO agent_registrations (agent_id, contact_uri, source, node, expires_at)
                VALUES (@id, 'sip:' || @name || '@127.0.0.1:5999', 'udp:127.0.0.1:5999', 'test', now() + interval '5 minutes')
                """, new { id, name });
        }

        return id;
    }

    private Task<string> StateAsync(int id) => fx.QuerySingleAsync<string>("SELECT state FROM agents WHERE id = @id", new { id });

    [PostgresFact]
    public async Task TheLongestIdleSkilledRegisteredAvailableAgentIsClaimedAndRings()
    {
        var line = await NewLineAsync();
        var recent = await AgentAsync(line, "available", idleMinutes: 1);
        var longest = await AgentAsync(line, "available", idleMinutes: 30);
        await AgentAsync(line, "available", idleMinutes: 90, skilled: false);
        await AgentAsync(line, "available", idleMinutes: 90, registered: false);
        await AgentAsync(line, "break", idleMinutes: 90);
        var callId = Guid.NewGuid();

        var claimed = await Selector.ClaimAsync(callId, line, [], CancellationToken.None);

        claimed.ShouldBe(longest);
        (await StateAsync(longest)).ShouldBe("ringing");
        (await StateAsync(recent)).ShouldBe("available");
        (await fx.QuerySingleAsync<string>("SELECT reason FROM agent_state_changes WHERE agent_id = @longest ORDER BY id DESC LIMIT 1", new { longest }))
            .ShouldBe("call " + callId);
    }

    [PostgresFact]
    public async Task ARingTimeoutMovesTheCallToTheNextAgentAndTheMissedAgentGoesToTheBackOfTheQueue()
    {
        var line = await NewLineAsync();
        var first = await AgentAsync(line, "available", idleMinutes: 20);
        var second = await AgentAsync(line, "available", idleMinutes: 10);
        var callId = Guid.NewGuid();

        (await Selector.ClaimAsync(callId, line, [], CancellationToken.None)).ShouldBe(first);
        (await Selector.ReleaseAsync(callId, first, "no answer", CancellationToken.None)).ShouldBeTrue();
        var next = await Selector.ClaimAsync(callId, line, [first], CancellationToken.None);

        next.ShouldBe(second);
        (await StateAsync(first)).ShouldBe("available");
        (await Selector.ReleaseAsync(callId, second, "no answer", CancellationToken.None)).ShouldBeTrue();
        (await Selector.ClaimAsync(Guid.NewGuid(), line, [], CancellationToken.None)).ShouldBe(first, "first became available earlier than second");
    }

    [PostgresFact]
    public async Task ConcurrentCallsNeverClaimTheSameAgentAndNoneIsLeftWhenAllRing()
    {
        var line = await NewLineAsync();
        var agents = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            agents.Add(await AgentAsync(line, "available", idleMinutes: 10 + i));
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Selector.ClaimAsync(Guid.NewGuid(), line, [], CancellationToken.None)));

        var got = claims.Where(c => c is not null).Select(c => c!.Value).ToList();
        got.Count.ShouldBe(4);
        got.ShouldBeUnique();
        got.ShouldBeSubsetOf(agents);
        (await Selector.AvailableCountAsync(line, CancellationToken.None)).ShouldBe(0);
    }

    [PostgresFact]
    public async Task ReleasingAnAgentWhoIsNoLongerRingingChangesNothing()
    {
        var line = await NewLineAsync();
        var agent = await AgentAsync(line, "on_call", idleMinutes: 5);

        (await Selector.ReleaseAsync(Guid.NewGuid(), agent, "late timeout", CancellationToken.None)).ShouldBeFalse();

        (await StateAsync(agent)).ShouldBe("on_call");
    }

    [PostgresFact]
    public async Task AnAgentWhosePhoneVanishedIsSetOfflineButAnAgentInACallIsNot()
    {
        var line = await NewLineAsync();
        var vanished = await AgentAsync(line, "available", idleMinutes: 5);
        var talking = await AgentAsync(line, "on_call", idleMinutes: 5);
        var present = await AgentAsync(line, "available", idleMinutes: 5);
        await fx.ExecuteAsync("UPDATE agent_registrations SET expires_at = now() - interval '1 second' WHERE agent_id = ANY(@ids)",
            new { ids = new[] { vanished, talking } });

        var gone = await fx.Services.GetRequiredService<RegistrationSweeper>().SweepAsync(CancellationToken.None);

        gone.ShouldContain(vanished);
        gone.ShouldNotContain(talking);
        gone.ShouldNotContain(present);
        (await StateAsync(vanished)).ShouldBe("offline");
        (await StateAsync(talking)).ShouldBe("on_call");
        (await StateAsync(present)).ShouldBe("available");
    }
}
