using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Sip;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.Telephony.Tests.Sip;
using CallCenter.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.Telephony.Tests.Agents;

/// <summary>The ACD rings agents' registered phones (bare UDP peers on loopback) on the real schema.</summary>
[Collection(SoftswitchGroup.Name)]
public sealed class AgentRingerTests(SoftswitchFixture fx)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private AgentRinger Ringer => fx.Services.GetRequiredService<AgentRinger>();

    private async Task<int> NewLineAsync()
    {
        var code = "ring" + Guid.NewGuid().ToString("N")[..8];
        return await fx.QuerySingleAsync<int>(
            "INSERT INTO service_lines (code, name_zh, name_en) VALUES (@code, '测试', 'Ring test') RETURNING id", new { code });
    }

    /// <summary>An available agent of the line, idle for <paramref name="idleMinutes"/>, registered at the phone's port.</summary>
    private async Task<int> AgentAsync(int lineId, int idleMinutes, UdpSipClient phone)
    {
        var name = "ring" + Guid.NewGuid().ToString("N")[..10];
        var id = await fx.QuerySingleAsync<int>(
            """
            INSERT INTO agents (username, display_name, sip_username, state, state_changed_at)
            VALUES (@name, @name, @name, 'available', now() - make_interval(mins => @idleMinutes)) RETURNING id
            """, new { name, idleMinutes });
        await fx.ExecuteAsync("INSERT INTO agent_skills (agent_id, service_line_id) VALUES (@id, @lineId)", new { id, lineId });
        await fx.ExecuteAsync(
            """
            INSERT INTO agent_registrations (agent_id, contact_uri, source, node, expires_at)
            VALUES (@id, 'sip:' || @name || '@127.0.0.1:' || @port, 'udp:127.0.0.1', 'test', now() + interval '5 minutes')
            """, new { id, name, port = phone.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return id;
    }

    private static RingRequest Request(int line, TimeSpan timeout) => new(Guid.NewGuid(), "13755550000", "4008001000", line, "test",
        timeout, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"u8.ToArray());

    private static async Task<SipRequest> NextRequestAsync(UdpSipClient phone, string method)
    {
        for (var i = 0; i < 30; i++)
        {
            if (await phone.ReceiveAsync(Wait) is SipRequest r && r.Method == method)
            {
                return r;
            }
        }

        throw new InvalidOperationException("no " + method + " arrived");
    }

    private static void Reply(UdpSipClient phone, SipRequest request, int code) =>
        phone.Send(SipResponse.For(request, code, toTag: "phone").ToBytes());

    private async Task<AgentRinging> RingingEventAsync(Guid callId, int agentId, CancellationToken ct)
    {
        await foreach (var e in fx.Events.SubscribeAsync(cancellationToken: ct))
        {
            if (e is AgentRinging r && r.CallId == callId && r.AgentId == agentId)
            {
                return r;
            }
        }

        throw new InvalidOperationException("no AgentRinging");
    }

    [PostgresFact]
    public async Task TheClaimedAgentsPhoneGetsTheInviteTheScreenPopIsPublishedAndTheAnswerIsReturned()
    {
        using var phone = new UdpSipClient(fx.SipPort);
        var line = await NewLineAsync();
        var agent = await AgentAsync(line, 10, phone);
        var request = Request(line, TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ringing = RingingEventAsync(request.CallId, agent, cts.Token);
        await Task.Delay(100); // let the subscription attach before the event

        var ring = Ringer.RingAsync(request, cts.Token);
        var invite = await NextRequestAsync(phone, "INVITE");
        invite.Body.Length.ShouldBeGreaterThan(0);
        Reply(phone, invite, 180);
        var popped = await ringing.WaitAsync(Wait);
        popped.CallerNumber.ShouldBe("13755550000");
        popped.ServiceLineId.ShouldBe(line);
        Reply(phone, invite, 200);

        var answer = await ring.WaitAsync(Wait);
        answer.ShouldNotBeNull();
        answer.AgentId.ShouldBe(agent);
        (await NextRequestAsync(phone, "ACK")).CallId.ShouldBe(invite.CallId);
    }

    [PostgresFact]
    public async Task AnAgentWhoLetsItRingOutIsCancelledReleasedAndTheNextAgentRings()
    {
        using var slowPhone = new UdpSipClient(fx.SipPort);
        using var nextPhone = new UdpSipClient(fx.SipPort);
        var line = await NewLineAsync();
        var slow = await AgentAsync(line, 30, slowPhone);
        var next = await AgentAsync(line, 5, nextPhone);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ring = Ringer.RingAsync(Request(line, TimeSpan.FromSeconds(1)), cts.Token);

        var first = await NextRequestAsync(slowPhone, "INVITE");
        Reply(slowPhone, first, 180);
        var cancel = await NextRequestAsync(slowPhone, "CANCEL");
        cancel.CallId.ShouldBe(first.CallId);
        Reply(slowPhone, cancel, 200);
        Reply(slowPhone, first, 487);

        var second = await NextRequestAsync(nextPhone, "INVITE");
        (await fx.QuerySingleAsync<string>("SELECT state FROM agents WHERE id = @slow", new { slow })).ShouldBe("available");
        Reply(nextPhone, second, 200);
        (await ring.WaitAsync(Wait))!.AgentId.ShouldBe(next);
    }
}
