using System.Collections.Concurrent;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.Telephony.Outbound;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Outbound;

/// <summary>Outbound calls through the trunk with the real sipp as the customer, on the real softswitch and PostgreSQL.</summary>
[Collection(OutboundGroup.Name)]
public sealed class OutboundDialerTests(OutboundFixture fx)
{
    private const string Customer = "13800138000";

    private static OutboundRequest Request(string callId, OutboundScript? script, string destination = Customer) =>
        new(destination, callId, new Dictionary<string, string> { ["X-CallCenter-Attempt"] = "42" }, script);

    private static OutboundScript Pickup => new("pickup_reminder.wav", "12");

    private static string NewCallId() => "cb-" + Guid.NewGuid().ToString("N") + "@test";

    [PostgresFact]
    public async Task AnAnsweredCallCollectsTheKeyTheCustomerPressedAndHangsUpWithOneInvite()
    {
        var callId = NewCallId();
        var xml = SippTrunk.Scenario("trunk-answer-dtmf.xml").Replace("@PCAP@", SippTrunk.Pcap("dtmf_2833_1.pcap"), StringComparison.Ordinal);
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, xml);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new ConcurrentQueue<CallEvent>();
        var subscription = fx.Events.SubscribeAsync(cancellationToken: stop.Token).GetAsyncEnumerator(stop.Token);
        var collecting = CollectAsync(subscription, events);

        var result = await fx.Dialer.PlaceAsync(Request(callId, Pickup), CancellationToken.None);

        var (exit, output) = await sipp.WaitAsync();
        exit.ShouldBe(0, output); // sipp checked X-CallCenter-Attempt and got our BYE
        await stop.CancelAsync();
        await collecting;
        var mine = events.Where(e => e.CallId == result.CallId).ToList();
        mine.OfType<OutboundCallPlaced>().Single().MaskedDestination.ShouldBe("*******8000");
        mine.OfType<OutboundCallSettled>().Single().Outcome.ShouldBe("answered");
        mine.OfType<CallAnswered>().Count().ShouldBe(1);
        mine.OfType<DtmfReceived>().Select(d => d.Digit).ShouldBe(['1']);
        mine.OfType<CallEnded>().Single().Disposition.ShouldBe("completed");
        result.Outcome.ShouldBe(OutboundOutcome.Answered, result.Reason);
        result.SipStatus.ShouldBe(200);
        result.Dtmf.ShouldBe("1");
        sipp.InviteBranches().Count.ShouldBe(1);
        var invite = sipp.FirstInvite();
        invite.ShouldContain("X-CallCenter-Attempt: 42");
        invite.ShouldContain("Call-ID: " + callId);
        invite.ShouldContain("INVITE sip:" + Customer + "@127.0.0.1:" + fx.TrunkPort);

        var row = await fx.QuerySingleAsync<(string Direction, string Caller, string Dialed, string Disposition, string EndedBy, bool Answered)>(
            """
            SELECT direction, caller_number, dialed_number, disposition, ended_by, answered_at IS NOT NULL
              FROM calls WHERE sip_call_id = @callId
            """, new { callId });
        row.ShouldBe(("outbound", OutboundFixture.CallerId, Customer, "completed", "system", true));
        var (path, complete) = await fx.QuerySingleAsync<(string, bool)>(
            "SELECT r.path, r.complete FROM recordings r JOIN calls c ON c.id = r.call_id WHERE c.sip_call_id = @callId", new { callId });
        complete.ShouldBeTrue();
        File.Exists(path).ShouldBeTrue();
        WavReader.ReadMono8k(path).ShouldNotBeNull();
    }

    private static async Task CollectAsync(IAsyncEnumerator<CallEvent> subscription, ConcurrentQueue<CallEvent> into)
    {
        try
        {
            while (await subscription.MoveNextAsync())
            {
                into.Enqueue(subscription.Current);
            }
        }
        catch (OperationCanceledException)
        {
            // the test stopped listening
        }
        finally
        {
            await subscription.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task ACustomerWhoPressesNothingHearsThePromptTwiceAndIsHungUpOnPolitely()
    {
        var callId = NewCallId();
        // g711a.pcap is speech without any RFC 4733 event: audio arrives, no key does.
        var xml = SippTrunk.Scenario("trunk-answer-dtmf.xml").Replace("@PCAP@", SippTrunk.Pcap("g711a.pcap"), StringComparison.Ordinal);
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, xml, timeoutSeconds: 60);

        // A short prompt keeps the test short: prompt, 2 s, sorry, prompt, 2 s, goodbye.
        var result = await fx.Dialer.PlaceAsync(Request(callId, new OutboundScript("goodbye.wav", "12")), CancellationToken.None);

        var (exit, output) = await sipp.WaitAsync(60);
        exit.ShouldBe(0, output);
        result.Outcome.ShouldBe(OutboundOutcome.Answered);
        result.Dtmf.ShouldBeNull();
        result.Reason.ShouldBe("script finished");
        (await fx.QuerySingleAsync<(string, string)>("SELECT disposition, ended_by FROM calls WHERE sip_call_id = @callId", new { callId }))
            .ShouldBe(("completed", "system"));
    }

    [PostgresFact]
    public async Task AnAgentFirstCallRingsTheOwnerThenDialsTheCustomerAndBridgesThem()
    {
        var callId = NewCallId();
        await using var phone = new TestPhone(fx.SipPort, CallCenter.Telephony.Sdp.AudioCodec.Pcmu);
        var agentId = await fx.AgentAsync(phone.SipPort);
        var xml = SippTrunk.Scenario("trunk-answer-speak.xml").Replace("@PCAP@", SippTrunk.Pcap("g711a.pcap"), StringComparison.Ordinal);
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, xml);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new ConcurrentQueue<CallEvent>();
        var collecting = CollectAsync(fx.Events.SubscribeAsync(cancellationToken: stop.Token).GetAsyncEnumerator(stop.Token), events);

        var placing = fx.Dialer.PlaceAgentFirstAsync(Request(callId, null), new AgentTarget(agentId, null, "callbacks", 7, "promise"), CancellationToken.None);
        await phone.AnswerAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 100 && phone.FramesHeard < 50; i++)
        {
            await Task.Delay(100); // the customer's speech reaches the agent through the bridge
        }

        // the agent says something too (half a second of tone): it must reach transcription as the agent leg
        await phone.SpeakAsync([.. Enumerable.Range(0, 4000).Select(i => (short)(6000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0)))]);
        var bye = await phone.SendAsync(phone.InDialog("BYE"));
        var result = await placing;

        bye.StatusCode.ShouldBe(200);
        var (exit, output) = await sipp.WaitAsync();
        exit.ShouldBe(0, output); // the customer got our BYE after the agent hung up
        result.Outcome.ShouldBe(OutboundOutcome.Answered, result.Reason);
        result.Reason.ShouldBe("BYE from agent");
        phone.FramesHeard.ShouldBeGreaterThanOrEqualTo(50);
        sipp.InviteBranches().Count.ShouldBe(1);
        (await fx.QuerySingleAsync<(int?, string, string)>("SELECT agent_id, disposition, ended_by FROM calls WHERE sip_call_id = @callId", new { callId }))
            .ShouldBe((agentId, "completed", "agent"));
        (await fx.QuerySingleAsync<string>("SELECT state FROM agents WHERE id = @agentId", new { agentId })).ShouldBe("wrap_up");
        await stop.CancelAsync();
        await collecting;
        var mine = events.Where(e => e.CallId == result.CallId).ToList();
        mine.OfType<CallbackRinging>().Single().CallbackId.ShouldBe(7);
        mine.OfType<AgentRinging>().Single().AgentId.ShouldBe(agentId);
        mine.OfType<CallAnswered>().Single().AgentId.ShouldBe(agentId);

        // Both legs of the bridged callback went to live transcription and screening, then were closed there.
        fx.Audio.Samples(result.CallId!.Value, CallLeg.Customer).ShouldBeGreaterThanOrEqualTo(50 * 160L);
        fx.Audio.Samples(result.CallId!.Value, CallLeg.Agent).ShouldBeGreaterThan(0);
        fx.Audio.Ended(result.CallId!.Value, CallLeg.Customer).ShouldBeTrue();
        fx.Audio.Ended(result.CallId!.Value, CallLeg.Agent).ShouldBeTrue();
    }

    [PostgresFact]
    public async Task AnAgentFirstCallNobodyAnswersNeverDialsTheCustomer()
    {
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, SippTrunk.Scenario("trunk-status.xml").Replace("@STATUS@", "486 Busy Here", StringComparison.Ordinal));

        // Agent 999999 does not exist and no line is given: nobody can be rung.
        var result = await fx.Dialer.PlaceAgentFirstAsync(Request(NewCallId(), null), new AgentTarget(999_999, null, "callbacks", 8, "promise"), CancellationToken.None);

        await sipp.StopAsync();
        result.Outcome.ShouldBe(OutboundOutcome.Failed);
        result.Reason.ShouldContain("no agent answered");
        sipp.InviteBranches().ShouldBeEmpty();
    }

    [PostgresFact]
    public async Task TheSameCallIdIsNeverDialedTwice()
    {
        var callId = NewCallId();
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, SippTrunk.Scenario("trunk-status.xml").Replace("@STATUS@", "486 Busy Here", StringComparison.Ordinal));
        var first = await fx.Dialer.PlaceAsync(Request(callId, Pickup), CancellationToken.None);
        (await sipp.WaitAsync()).ExitCode.ShouldBe(0);

        await using var again = await SippTrunk.StartAsync(fx.TrunkPort, SippTrunk.Scenario("trunk-status.xml").Replace("@STATUS@", "486 Busy Here", StringComparison.Ordinal));
        var second = await fx.Dialer.PlaceAsync(Request(callId, Pickup), CancellationToken.None);
        await again.StopAsync();

        first.Outcome.ShouldBe(OutboundOutcome.Busy);
        second.Outcome.ShouldBe(OutboundOutcome.Failed);
        second.Reason.ShouldContain("exists already");
        again.InviteBranches().ShouldBeEmpty();
    }

    [PostgresTheory]
    [InlineData("486 Busy Here", OutboundOutcome.Busy, "busy")]
    [InlineData("600 Busy Everywhere", OutboundOutcome.Busy, "busy")]
    [InlineData("480 Temporarily Unavailable", OutboundOutcome.NoAnswer, "no_answer")]
    [InlineData("408 Request Timeout", OutboundOutcome.NoAnswer, "no_answer")]
    [InlineData("603 Decline", OutboundOutcome.Rejected, "rejected")]
    [InlineData("403 Forbidden", OutboundOutcome.Rejected, "rejected")]
    [InlineData("503 Service Unavailable", OutboundOutcome.Failed, "failed")]
    public async Task AFinalStatusOfTheTrunkBecomesItsOutcome(string status, OutboundOutcome outcome, string disposition)
    {
        var callId = NewCallId();
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, SippTrunk.Scenario("trunk-status.xml").Replace("@STATUS@", status, StringComparison.Ordinal));

        var result = await fx.Dialer.PlaceAsync(Request(callId, Pickup), CancellationToken.None);

        var (exit, output) = await sipp.WaitAsync();
        exit.ShouldBe(0, output); // sipp got our ACK
        result.Outcome.ShouldBe(outcome);
        result.SipStatus.ShouldBe(int.Parse(status[..3], System.Globalization.CultureInfo.InvariantCulture));
        result.Dtmf.ShouldBeNull();
        sipp.InviteBranches().Count.ShouldBe(1);
        (await fx.QuerySingleAsync<string>("SELECT disposition FROM calls WHERE sip_call_id = @callId AND direction = 'outbound'", new { callId }))
            .ShouldBe(disposition);
    }

    [PostgresFact]
    public async Task RingingPastTheRingTimeoutIsCancelledAndCountsAsNoAnswer()
    {
        var callId = NewCallId();
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, SippTrunk.Scenario("trunk-ring-cancel.xml"));

        var result = await fx.Dialer.PlaceAsync(Request(callId, Pickup), CancellationToken.None);

        var (exit, output) = await sipp.WaitAsync();
        exit.ShouldBe(0, output); // sipp saw our CANCEL and the ACK of its 487
        result.Outcome.ShouldBe(OutboundOutcome.NoAnswer);
        result.SipStatus.ShouldBe(487);
        (await fx.QuerySingleAsync<(string, string)>("SELECT disposition, ended_by FROM calls WHERE sip_call_id = @callId", new { callId }))
            .ShouldBe(("no_answer", "system"));
    }

    [PostgresFact]
    public async Task ACustomerWhoHangsUpDuringThePromptEndsTheCallWithoutAKey()
    {
        var callId = NewCallId();
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, SippTrunk.Scenario("trunk-answer-hangup.xml"));

        var result = await fx.Dialer.PlaceAsync(Request(callId, Pickup), CancellationToken.None);

        var (exit, output) = await sipp.WaitAsync();
        exit.ShouldBe(0, output); // our 200 to its BYE arrived
        result.Outcome.ShouldBe(OutboundOutcome.Answered);
        result.Dtmf.ShouldBeNull();
        result.Reason.ShouldBe("BYE from callee");
        (await fx.QuerySingleAsync<(string, string)>("SELECT disposition, ended_by FROM calls WHERE sip_call_id = @callId", new { callId }))
            .ShouldBe(("completed", "callee"));
    }

    [PostgresTheory]
    [InlineData("16901234567")] // premium
    [InlineData("4008123456")]  // service number
    [InlineData("12345")]       // short code
    [InlineData("0085212345678")] // international
    [InlineData("1380013800a")] // not digits
    public async Task ADestinationOutsideTheAllowedPatternIsNeverDialed(string destination)
    {
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, SippTrunk.Scenario("trunk-status.xml").Replace("@STATUS@", "486 Busy Here", StringComparison.Ordinal));

        var result = await fx.Dialer.PlaceAsync(Request(NewCallId(), Pickup, destination), CancellationToken.None);

        await sipp.StopAsync();
        result.Outcome.ShouldBe(OutboundOutcome.Failed);
        result.Reason.ShouldContain("AllowedDestinationPattern");
        sipp.InviteBranches().ShouldBeEmpty();
    }
}
