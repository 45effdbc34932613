using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sdp;
using CallCenter.Telephony.Sip;
using CallCenter.Telephony.Tests.Pipeline;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>
/// Queued inbound calls are rung to agents and bridged (B2BUA), on the real softswitch and schema. Callers and
/// agents are <see cref="TestPhone"/>s (UDP SIP + RTP on loopback) so every received sample can be checked.
/// </summary>
[Collection(BridgeGroup.Name)]
public sealed class BridgeTests(BridgeFixture fx)
{
    private const int Frame = 160;

    private static short[] Speech(string clip, int frames) => TestAudio.Telephone(TestAudio.Clip(clip))[..(frames * Frame)];

    private static short[] Through(short[] pcm, AudioCodec from, AudioCodec to)
    {
        var one = new byte[1];
        return pcm.Select(x =>
        {
            MediaBridge.Encode(from, [x], one);
            var first = from == AudioCodec.Pcmu ? G711.DecodeUlaw(one[0]) : G711.DecodeAlaw(one[0]);
            MediaBridge.Encode(to, [first], one);
            return to == AudioCodec.Pcmu ? G711.DecodeUlaw(one[0]) : G711.DecodeAlaw(one[0]);
        }).ToArray();
    }

    private static int IndexOf(short[] haystack, short[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        return -1;
    }

    private static async Task UntilAsync(Func<bool> condition, int seconds = 10)
    {
        for (var i = 0; i < seconds * 20 && !condition(); i++)
        {
            await Task.Delay(50);
        }
    }

    private Task<string> CallStateAsync(string sipCallId, string expected) =>
        fx.EventuallyAsync<string>("SELECT state FROM calls WHERE sip_call_id = @sipCallId", new { sipCallId }, expected);

    private Task<string> AgentStateAsync(int id, string expected, int seconds = 10) =>
        fx.EventuallyAsync<string>("SELECT state FROM agents WHERE id = @id", new { id }, expected, seconds);

    private List<CallEvent> Record(CancellationToken ct)
    {
        var events = new List<CallEvent>();
        _ = Task.Run(async () =>
        {
            await foreach (var e in fx.Events.SubscribeAsync(cancellationToken: ct))
            {
                lock (events)
                {
                    events.Add(e);
                }
            }
        }, ct);
        return events;
    }

    [PostgresFact]
    public async Task TheLongestIdleSkilledAgentGetsTheCallSpeechCrossesBothWaysTranscodedAndTheAgentsByeEndsBothLegs()
    {
        await fx.RetireAgentsAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = Record(cts.Token);
        await Task.Delay(100);
        await using var caller = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        await using var idle = new TestPhone(fx.SipPort, AudioCodec.Pcma);
        await using var recent = new TestPhone(fx.SipPort, AudioCodec.Pcma);
        await using var unskilled = new TestPhone(fx.SipPort, AudioCodec.Pcma);
        var idleAgent = await fx.AgentAsync(fx.RepairsLineId, 30, idle);
        await fx.AgentAsync(fx.RepairsLineId, 1, recent);
        await fx.AgentAsync(fx.SalesLineId, 90, unskilled);

        await caller.CallAsync(BridgeFixture.RepairsNumber);
        await idle.AnswerAsync();
        (await CallStateAsync(caller.CallId, "connected")).ShouldBe("connected");
        (await AgentStateAsync(idleAgent, "on_call")).ShouldBe("on_call");

        const int frames = 60;
        var customerSpeech = Speech("zh01_firered_aishell_BAC009S0764W0121.wav", frames);
        var agentSpeech = Speech("zh02_firered_IT0011W0001.wav", frames);
        await Task.WhenAll(caller.SpeakAsync(customerSpeech), idle.SpeakAsync(agentSpeech));
        await UntilAsync(() => idle.FramesHeard >= frames - 3);
        await Task.Delay(300);

        // What each side said arrives at the other, through µ-law → A-law and back, sample for sample (the jitter
        // buffer keeps the last three frames until the leg ends).
        var delivered = (frames - 3) * Frame;
        IndexOf(idle.Heard, Through(customerSpeech, AudioCodec.Pcmu, AudioCodec.Pcma)[..delivered]).ShouldBeGreaterThanOrEqualTo(0);
        IndexOf(caller.Heard, Through(agentSpeech, AudioCodec.Pcma, AudioCodec.Pcmu)[..delivered]).ShouldBeGreaterThanOrEqualTo(0);
        recent.FramesHeard.ShouldBe(0);

        (await idle.SendAsync(idle.InDialog("BYE"))).StatusCode.ShouldBe(200);
        var bye = await caller.RequestAsync("BYE");
        caller.Reply(bye, 200);

        var row = await fx.EventuallyAsync<string>(
            "SELECT coalesce(disposition, '') || '/' || coalesce(ended_by, '') || '/' || coalesce(agent_id, 0) || '/' || (agent_answered_at IS NOT NULL) FROM calls WHERE sip_call_id = @id",
            new { id = caller.CallId }, "completed/agent/" + idleAgent + "/true");
        row.ShouldBe("completed/agent/" + idleAgent + "/true");
        (await fx.QuerySingleAsync<long>(
            "SELECT count(*) FROM call_legs l JOIN calls c ON c.id = l.call_id WHERE c.sip_call_id = @id AND l.ended_at IS NOT NULL", new { id = caller.CallId }))
            .ShouldBe(2);
        var path = await fx.EventuallyAsync<string>(
            "SELECT coalesce((SELECT r.path FROM recordings r JOIN calls c ON c.id = r.call_id WHERE c.sip_call_id = @id AND r.leg_role = 'stereo' AND r.complete AND r.channels = 2), '')",
            new { id = caller.CallId }, "x", seconds: 3);
        path.ShouldNotBeEmpty();
        var (left, right) = StereoWavWriter.ReadChannels(path);
        IndexOf(left, Through(customerSpeech, AudioCodec.Pcmu, AudioCodec.Pcmu)[..delivered]).ShouldBeGreaterThanOrEqualTo(0, "customer on the left");
        IndexOf(right, Through(agentSpeech, AudioCodec.Pcma, AudioCodec.Pcma)[..delivered]).ShouldBeGreaterThanOrEqualTo(0, "agent on the right");

        // Wrap-up (1 s in the test configuration), then available again, all persisted.
        (await AgentStateAsync(idleAgent, "available")).ShouldBe("available");
        lock (events)
        {
            events.OfType<CallAnswered>().ShouldContain(e => e.AgentId == idleAgent);
            events.OfType<AgentStateChanged>().Where(e => e.AgentId == idleAgent).Select(e => e.State)
                .ShouldBe(["ringing", "on_call", "wrap_up", "available"]);
            events.OfType<CallEnded>().ShouldContain(e => e.EndedBy == "agent");
        }
    }

    [PostgresFact]
    public async Task ARingTimeoutMovesToTheNextAgentHoldStopsAudioTowardTheHolderAndTheCallersByeHangsUpTheAgent()
    {
        await fx.RetireAgentsAsync();
        await using var caller = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        await using var slow = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        await using var next = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        var slowAgent = await fx.AgentAsync(fx.RepairsLineId, 30, slow);
        var nextAgent = await fx.AgentAsync(fx.RepairsLineId, 5, next);

        await caller.CallAsync(BridgeFixture.RepairsNumber);
        var first = await slow.RequestAsync("INVITE");
        slow.Reply(first, 180);
        var cancel = await slow.RequestAsync("CANCEL");
        slow.Reply(cancel, 200);
        slow.Reply(first, 487);
        await next.AnswerAsync();
        (await CallStateAsync(caller.CallId, "connected")).ShouldBe("connected");
        (await AgentStateAsync(slowAgent, "available")).ShouldBe("available");

        // The caller puts the agent on hold: answered with our SDP mirrored; nothing is sent toward the caller.
        var hold = caller.InDialog("INVITE");
        hold.Add("Content-Type", "application/sdp");
        hold.Body = System.Text.Encoding.ASCII.GetBytes(caller.Sdp("sendonly"));
        var held = await caller.SendAsync(hold);
        held.StatusCode.ShouldBe(200);
        System.Text.Encoding.ASCII.GetString(held.Body).ShouldContain("a=recvonly");
        caller.Ack(hold);
        (await CallStateAsync(caller.CallId, "held")).ShouldBe("held");
        var before = caller.FramesHeard;
        await next.SpeakAsync(Speech("zh05_wenet_aishell_BAC009S0724W0121.wav", 20));
        await Task.Delay(300);
        caller.FramesHeard.ShouldBe(before);

        var resume = caller.InDialog("INVITE");
        resume.Add("Content-Type", "application/sdp");
        resume.Body = System.Text.Encoding.ASCII.GetBytes(caller.Sdp());
        var resumed = await caller.SendAsync(resume);
        System.Text.Encoding.ASCII.GetString(resumed.Body).ShouldContain("a=sendrecv");
        caller.Ack(resume);
        await next.SpeakAsync(Speech("zh05_wenet_aishell_BAC009S0724W0121.wav", 20));
        await UntilAsync(() => caller.FramesHeard >= before + 17);
        caller.FramesHeard.ShouldBeGreaterThanOrEqualTo(before + 17);

        (await caller.SendAsync(caller.InDialog("BYE"))).StatusCode.ShouldBe(200);
        var bye = await next.RequestAsync("BYE");
        next.Reply(bye, 200);
        (await fx.EventuallyAsync<string>("SELECT coalesce(disposition, '') || '/' || coalesce(ended_by, '') FROM calls WHERE sip_call_id = @id",
            new { id = caller.CallId }, "completed/caller")).ShouldBe("completed/caller");
        (await AgentStateAsync(nextAgent, "available")).ShouldBe("available");
    }

    [PostgresFact]
    public async Task AReInviteWithoutSdpGetsOurOfferAndTheAnswerInTheAckHoldsAndResumes()
    {
        await fx.RetireAgentsAsync();
        await using var caller = new TestPhone(fx.SipPort, AudioCodec.Pcma);
        await using var agent = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        await fx.AgentAsync(fx.RepairsLineId, 30, agent);
        await caller.CallAsync(BridgeFixture.RepairsNumber);
        await agent.AnswerAsync();
        (await CallStateAsync(caller.CallId, "connected")).ShouldBe("connected");

        // No offer in the re-INVITE (RFC 3261 §14.2): the 200 offers what runs now, sendrecv.
        var refresh = caller.InDialog("INVITE");
        var offered = await caller.SendAsync(refresh);
        offered.StatusCode.ShouldBe(200);
        var offer = System.Text.Encoding.ASCII.GetString(offered.Body);
        offer.ShouldContain("m=audio " + caller.RemoteMedia!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + " RTP/AVP 8");
        offer.ShouldContain("a=sendrecv");

        // The answer comes in the ACK: sendonly puts the agent on hold, as a re-INVITE offer would.
        caller.Ack(refresh, caller.Sdp("sendonly"));
        (await CallStateAsync(caller.CallId, "held")).ShouldBe("held");
        var before = caller.FramesHeard;
        await agent.SpeakAsync(Speech("zh05_wenet_aishell_BAC009S0724W0121.wav", 20));
        await Task.Delay(300);
        caller.FramesHeard.ShouldBe(before);

        // Again, answered sendrecv: resumed, and audio flows toward the caller again.
        var again = caller.InDialog("INVITE");
        (await caller.SendAsync(again)).StatusCode.ShouldBe(200);
        caller.Ack(again, caller.Sdp());
        (await CallStateAsync(caller.CallId, "connected")).ShouldBe("connected");
        await agent.SpeakAsync(Speech("zh05_wenet_aishell_BAC009S0724W0121.wav", 20));
        await UntilAsync(() => caller.FramesHeard >= before + 17);
        caller.FramesHeard.ShouldBeGreaterThanOrEqualTo(before + 17);

        // An ACK without the answer leaves the media as it was; the call goes on.
        var third = caller.InDialog("INVITE");
        (await caller.SendAsync(third)).StatusCode.ShouldBe(200);
        caller.Ack(third);
        (await caller.SendAsync(caller.InDialog("BYE"))).StatusCode.ShouldBe(200);
        var bye = await agent.RequestAsync("BYE");
        agent.Reply(bye, 200);
        (await fx.EventuallyAsync<string>("SELECT coalesce(disposition, '') || '/' || coalesce(ended_by, '') FROM calls WHERE sip_call_id = @id",
            new { id = caller.CallId }, "completed/caller")).ShouldBe("completed/caller");
    }

    [PostgresFact]
    public async Task AReferFromTheAgentMovesTheCallToTheSecondAgent()
    {
        await fx.RetireAgentsAsync();
        await using var caller = new TestPhone(fx.SipPort, AudioCodec.Pcma);
        await using var first = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        await using var second = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        var firstAgent = await fx.AgentAsync(fx.RepairsLineId, 30, first);
        var name = "agent2x" + Guid.NewGuid().ToString("N")[..6];
        var secondAgent = await fx.AgentAsync(fx.SalesLineId, 30, second, name);

        await caller.CallAsync(BridgeFixture.RepairsNumber);
        await first.AnswerAsync();
        (await CallStateAsync(caller.CallId, "connected")).ShouldBe("connected");

        var refer = first.InDialog("REFER");
        refer.Add("Refer-To", "<sip:" + name + "@127.0.0.1>");
        (await first.SendAsync(refer)).StatusCode.ShouldBe(202);
        var trying = await first.RequestAsync("NOTIFY");
        first.Reply(trying, 200);
        System.Text.Encoding.ASCII.GetString(trying.Body).ShouldStartWith("SIP/2.0 100");
        await second.AnswerAsync();
        var done = await first.RequestAsync("NOTIFY");
        first.Reply(done, 200);
        System.Text.Encoding.ASCII.GetString(done.Body).ShouldStartWith("SIP/2.0 200");
        done.Get("Subscription-State")!.ShouldStartWith("terminated");
        var bye = await first.RequestAsync("BYE");
        first.Reply(bye, 200);

        (await fx.EventuallyAsync<int>("SELECT coalesce(agent_id, 0) FROM calls WHERE sip_call_id = @id", new { id = caller.CallId }, secondAgent))
            .ShouldBe(secondAgent);
        var speech = Speech("zh06_wenet_nst_ID001.wav", 30);
        await caller.SpeakAsync(speech);
        await UntilAsync(() => second.FramesHeard >= 27);
        IndexOf(second.Heard, Through(speech, AudioCodec.Pcma, AudioCodec.Pcmu)[..(27 * Frame)]).ShouldBeGreaterThanOrEqualTo(0);

        (await caller.SendAsync(caller.InDialog("BYE"))).StatusCode.ShouldBe(200);
        second.Reply(await second.RequestAsync("BYE"), 200);
        (await fx.QuerySingleAsync<long>(
            "SELECT count(*) FROM call_legs l JOIN calls c ON c.id = l.call_id WHERE c.sip_call_id = @id AND l.role = 'agent'", new { id = caller.CallId }))
            .ShouldBe(2);
        (await AgentStateAsync(firstAgent, "available")).ShouldBe("available");
        (await AgentStateAsync(secondAgent, "available")).ShouldBe("available");
    }

    [PostgresFact]
    public async Task ACallerWhoHangsUpWhileTheAgentRingsCancelsTheAgentLegAndTheAgentIsFreedAgain()
    {
        await fx.RetireAgentsAsync();
        await using var caller = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        await using var agent = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        var agentId = await fx.AgentAsync(fx.RepairsLineId, 30, agent);
        await caller.CallAsync(BridgeFixture.RepairsNumber);
        var invite = await agent.RequestAsync("INVITE");
        agent.Reply(invite, 180);
        (await AgentStateAsync(agentId, "ringing")).ShouldBe("ringing");

        (await caller.SendAsync(caller.InDialog("BYE"))).StatusCode.ShouldBe(200);
        var cancel = await agent.RequestAsync("CANCEL");
        cancel.CallId.ShouldBe(invite.CallId);
        agent.Reply(cancel, 200);
        agent.Reply(invite, 487);
        (await AgentStateAsync(agentId, "available")).ShouldBe("available");
        (await fx.EventuallyAsync<string>("SELECT coalesce(disposition, '') FROM calls WHERE sip_call_id = @id", new { id = caller.CallId }, "abandoned"))
            .ShouldBe("abandoned");
    }

    [PostgresFact]
    public async Task AnAgentWhoAnswersAfterWeCancelledIsAcknowledgedAndHungUpNeverBridged()
    {
        await fx.RetireAgentsAsync();
        await using var caller = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        await using var agent = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        var agentId = await fx.AgentAsync(fx.RepairsLineId, 30, agent);
        await caller.CallAsync(BridgeFixture.RepairsNumber);
        var invite = await agent.RequestAsync("INVITE");
        agent.Reply(invite, 180);
        var cancel = await agent.RequestAsync("CANCEL"); // ring timeout (2 s)
        agent.Reply(cancel, 200);
        agent.Reply(invite, 200, agent.Sdp()); // the 200 crossed the CANCEL

        (await agent.RequestAsync("ACK")).CallId.ShouldBe(invite.CallId);
        var bye = await agent.RequestAsync("BYE");
        bye.CallId.ShouldBe(invite.CallId);
        agent.Reply(bye, 200);
        (await fx.QuerySingleAsync<string>("SELECT state FROM calls WHERE sip_call_id = @id", new { id = caller.CallId })).ShouldBe("queued");
        (await AgentStateAsync(agentId, "available")).ShouldBe("available");
        (await caller.SendAsync(caller.InDialog("BYE"))).StatusCode.ShouldBe(200);
    }

    [PostgresFact]
    public async Task TheWebTransfersACallToAnotherLineWhereItIsQueuedAndAnsweredByThatLinesAgent()
    {
        await fx.RetireAgentsAsync();
        await using var caller = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        await using var repairs = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        await using var sales = new TestPhone(fx.SipPort, AudioCodec.Pcma);
        var repairsAgent = await fx.AgentAsync(fx.RepairsLineId, 30, repairs);
        var salesAgent = await fx.AgentAsync(fx.SalesLineId, 30, sales);
        await caller.CallAsync(BridgeFixture.RepairsNumber);
        await repairs.AnswerAsync();
        (await CallStateAsync(caller.CallId, "connected")).ShouldBe("connected");
        var callId = await fx.QuerySingleAsync<Guid>("SELECT id FROM calls WHERE sip_call_id = @id", new { id = caller.CallId });

        // A line closed now (open one hour a day that is not this one, China time) takes no transfer; the agent keeps the caller.
        var hour = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, CallCenter.Telephony.Routing.LineHours.Zone("Asia/Shanghai")).Hour < 12 ? 13 : 1;
        await fx.ExecuteAsync("INSERT INTO business_hours (service_line_id, weekday, opens, closes) SELECT @line, d, make_time(@hour, 0, 0), make_time(@hour + 1, 0, 0) FROM generate_series(0, 6) d",
            new { line = fx.SalesLineId, hour });
        (await fx.Calls.TransferAsync(callId, "sales", CancellationToken.None)).ShouldBeFalse();
        (await CallStateAsync(caller.CallId, "connected")).ShouldBe("connected");
        await fx.ExecuteAsync("DELETE FROM business_hours WHERE service_line_id = @line", new { line = fx.SalesLineId });
        (await fx.Calls.TransferAsync(callId, "sip:" + BridgeFixture.SalesNumber + "@127.0.0.1", CancellationToken.None)).ShouldBeTrue();
        repairs.Reply(await repairs.RequestAsync("BYE"), 200);
        await sales.AnswerAsync();
        (await fx.EventuallyAsync<int>("SELECT coalesce(agent_id, 0) FROM calls WHERE sip_call_id = @id", new { id = caller.CallId }, salesAgent))
            .ShouldBe(salesAgent);
        (await fx.QuerySingleAsync<int>("SELECT service_line_id FROM calls WHERE id = @callId", new { callId })).ShouldBe(fx.SalesLineId);
        (await AgentStateAsync(repairsAgent, "available")).ShouldBe("available");

        var speech = Speech("zh07_wenet_nst_ID002.wav", 25);
        await caller.SpeakAsync(speech);
        await UntilAsync(() => sales.FramesHeard >= 22);
        IndexOf(sales.Heard, Through(speech, AudioCodec.Pcmu, AudioCodec.Pcma)[..(22 * Frame)]).ShouldBeGreaterThanOrEqualTo(0);
        (await fx.Calls.TransferAsync(Guid.NewGuid(), "sales", CancellationToken.None)).ShouldBeFalse();

        (await caller.SendAsync(caller.InDialog("BYE"))).StatusCode.ShouldBe(200);
        sales.Reply(await sales.RequestAsync("BYE"), 200);
    }

    [PostgresFact]
    public async Task AnAgentsHoldReInviteIsAnsweredOnTheAgentLegAndStopsTheCallersAudioTowardTheAgent()
    {
        await fx.RetireAgentsAsync();
        await using var caller = new TestPhone(fx.SipPort, AudioCodec.Pcma);
        await using var agent = new TestPhone(fx.SipPort, AudioCodec.Pcmu);
        await fx.AgentAsync(fx.RepairsLineId, 30, agent);
        await caller.CallAsync(BridgeFixture.RepairsNumber);
        await agent.AnswerAsync();
        (await CallStateAsync(caller.CallId, "connected")).ShouldBe("connected");

        var hold = agent.InDialog("INVITE");
        hold.Add("Content-Type", "application/sdp");
        hold.Body = System.Text.Encoding.ASCII.GetBytes(agent.Sdp("inactive"));
        var held = await agent.SendAsync(hold);
        held.StatusCode.ShouldBe(200);
        var answer = System.Text.Encoding.ASCII.GetString(held.Body);
        answer.ShouldContain("a=inactive");
        answer.ShouldContain("RTP/AVP 0"); // the agent leg's codec, unchanged
        agent.Ack(hold);
        (await CallStateAsync(caller.CallId, "held")).ShouldBe("held");
        var before = agent.FramesHeard;
        await caller.SpeakAsync(Speech("zh07_wenet_nst_ID002.wav", 15));
        await Task.Delay(300);
        agent.FramesHeard.ShouldBe(before);

        (await caller.SendAsync(caller.InDialog("BYE"))).StatusCode.ShouldBe(200);
        agent.Reply(await agent.RequestAsync("BYE"), 200);
    }
}
