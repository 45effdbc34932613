using System.Globalization;
using CallCenter.Agent.Web.Tests.Calls;
using CallCenter.Callbacks.Requests;
using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.Telephony.Tests.Outbound;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Callbacks;

/// <summary>
/// An agent-first callback through the whole host: the scheduler claims a promised callback, the owner's registered
/// phone (sipp UAS) rings and answers, the customer behind the trunk (sipp) is dialed and bridged, both speak
/// (espeak-ng Mandarin as G.711), and the agent's 这是厂家的事 is transcribed and caught as a taboo on the callback's
/// own calls row. The transcriber is the fixture's stand-in (see OutboundCallbackFixture); everything else is real.
/// </summary>
[Collection(OutboundCallbackGroup.Name)]
public sealed class AgentFirstCallbackTests(OutboundCallbackFixture fx)
{
    [PostgresFact]
    public async Task APromisedCallbackRingsItsOwnerThenTheCustomerAndTheAgentsTabooIsScreenedOnThatCall()
    {
        var work = Directory.CreateTempSubdirectory("cc-agent-first-");
        var inv = CultureInfo.InvariantCulture;
        var user = "afag" + Guid.NewGuid().ToString("N")[..6];
        var agentId = await fx.QuerySingleAsync<int>(
            """
            INSERT INTO agents (username, display_name, sip_username, sip_realm, sip_ha1_md5, sip_ha1_sha256, state, state_changed_at)
            VALUES (@user, '回电坐席', @user, 'callcenter', @md5, @sha, 'offline', now() - interval '1 hour') RETURNING id
            """,
            new
            {
                user,
                md5 = DigestAuth.Ha1(DigestAlgorithm.Md5, user, "callcenter", "pw-af"),
                sha = DigestAuth.Ha1(DigestAlgorithm.Sha256, user, "callcenter", "pw-af"),
            });

        // The owner's phone: answers after 0.5 s, speaks the taboo 3 s later, hangs up 5 s after that.
        var agentPcap = Path.Combine(work.FullName, "agent.pcap");
        RtpPcap.Write(agentPcap, SipHostFixture.AgentSpeech, alaw: false);
        var uasPort = TestPorts.Free();
        var phone = Sipp.RunServerAsync(Sipp.Scenario("agent-uas-speech.xml")
                .Replace("@ANSWER@", "500", StringComparison.Ordinal).Replace("@SPEAK@", "3000", StringComparison.Ordinal)
                .Replace("@HANGUP@", "5000", StringComparison.Ordinal).Replace("@PCAP@", agentPcap, StringComparison.Ordinal),
            uasPort, 28000 + (Random.Shared.Next(0, 500) * 2), 60);
        var register = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "scripts", "sipp", "demo-register.xml"))
            .Replace("@USER@", user, StringComparison.Ordinal).Replace("@PASSWORD@", "pw-af", StringComparison.Ordinal)
            .Replace("@EXPIRES@", "300", StringComparison.Ordinal)
            .Replace("[local_ip]:[local_port]>", "127.0.0.1:" + uasPort.ToString(inv) + ">", StringComparison.Ordinal);
        var (regExit, regOutput) = await Sipp.RunAsync(fx.SipPort, register, user, "x", "reg-" + Guid.NewGuid().ToString("N")[..8] + "@test");
        regExit.ShouldBe(0, regOutput);

        // The customer answers and says their sentence, then waits for our BYE.
        var customerPcap = Path.Combine(work.FullName, "customer.pcap");
        RtpPcap.Write(customerPcap, SipHostFixture.CallerSpeech, alaw: true);
        await using var trunk = await SippTrunk.StartAsync(fx.TrunkPort,
            SippTrunk.Scenario("trunk-answer-speak.xml").Replace("@PCAP@", customerPcap, StringComparison.Ordinal), timeoutSeconds: 60);
        var (customerId, _) = await fx.CustomerWithRepairAsync("13800138077");
        var created = await fx.Requests.CreateAsync(new NewCallback("promise", "manual", Guid.NewGuid().ToString(), customerId, "13800138077",
            DateTimeOffset.UtcNow, "test", OwnerAgentId: agentId, PromiseText: "我十分钟后给您回电"), CancellationToken.None);
        created.Created.ShouldBeTrue(created.Error);

        var attempt = await fx.WaitForFirstAttemptAsync(created.CallbackId!.Value, seconds: 60);
        var (trunkExit, trunkOutput) = await trunk.WaitAsync(60);
        var (phoneExit, phoneOutput) = await phone;

        trunkExit.ShouldBe(0, trunkOutput);
        phoneExit.ShouldBe(0, phoneOutput);
        (attempt.State, attempt.Outcome).ShouldBe(("done", "answered"), attempt.Notes);
        var callId = await fx.QuerySingleAsync<Guid>("SELECT id FROM calls WHERE callback_attempt_id = @Id", new { attempt.Id });
        (await fx.QuerySingleAsync<(string, int?, string)>("SELECT direction, agent_id, disposition FROM calls WHERE id = @callId", new { callId }))
            .ShouldBe(("outbound", agentId, "completed"));
        (await EventuallyAsync("SELECT count(*) FROM transcript_segments WHERE call_id = @callId AND speaker = 'customer' AND text = @text",
            new { callId, text = SipHostFixture.CallerText })).ShouldBeGreaterThan(0, "the customer's leg of the callback is transcribed");
        (await EventuallyAsync("""
            SELECT count(*) FROM screening_hits h JOIN screening_rules r ON r.id = h.rule_id
             WHERE h.call_id = @callId AND h.speaker = 'agent' AND r.kind = 'taboo' AND r.phrase LIKE '%厂家的事%'
            """, new { callId })).ShouldBeGreaterThan(0, "the agent's taboo on the callback is a hit on the callback's call");
        work.Delete(recursive: true);
    }

    private async Task<long> EventuallyAsync(string sql, object args)
    {
        var value = 0L;
        for (var i = 0; i < 100 && (value = await fx.QuerySingleAsync<long>(sql, args)) == 0; i++)
        {
            await Task.Delay(100);
        }

        return value;
    }
}
