using System.Globalization;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Tests.Media;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>
/// sipp on both sides: an agent registers with digest auth (the demo REGISTER scenario) for a sipp UAS that
/// answers in PCMU and echoes the RTP it gets (-rtp_echo); a sipp caller plays real A-law speech (g711a.pcap).
/// sipp cannot show what it received, so the stereo recording is the witness: the caller's speech on the left, and
/// on the right the same speech as it reached the agent transcoded to µ-law and came back.
/// </summary>
[Collection(BridgeGroup.Name)]
public sealed class SippBridgeTests(BridgeFixture fx)
{
    [PostgresFact]
    public async Task ASippCallersSpeechReachesARegisteredSippAgentTranscodedAndTheAgentsByeEndsBothLegs()
    {
        await fx.RetireAgentsAsync();
        var user = "sippag" + Guid.NewGuid().ToString("N")[..6];
        var agentId = await fx.SipAgentAsync(user, "pw-sipp");

        var uasPort = SoftswitchFixture.FreePort();
        var uasMedia = 24000 + (Random.Shared.Next(0, 2000) * 2);
        var uas = Sipp.RunServerAsync(Sipp.Scenario("agent-uas-echo.xml").Replace("@HANGUP@", "10000", StringComparison.Ordinal),
            uasPort, uasMedia, 40, "-rtp_echo");
        var register = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "scripts", "sipp", "demo-register.xml"))
            .Replace("@USER@", user, StringComparison.Ordinal).Replace("@PASSWORD@", "pw-sipp", StringComparison.Ordinal)
            .Replace("@EXPIRES@", "300", StringComparison.Ordinal)
            .Replace("[local_ip]:[local_port]>", "127.0.0.1:" + uasPort.ToString(CultureInfo.InvariantCulture) + ">", StringComparison.Ordinal);
        var (regExit, regOutput) = await Sipp.RunAsync(fx.SipPort, register, user, "pw-sipp", "reg-" + Guid.NewGuid().ToString("N")[..8] + "@test");
        regExit.ShouldBe(0, regOutput);
        (await fx.QuerySingleAsync<string>("SELECT state FROM agents WHERE id = @agentId", new { agentId })).ShouldBe("available");

        var callId = "sippbridge-" + Guid.NewGuid().ToString("N")[..8];
        var pcap = Sipp.Pcap("g711a.pcap");
        var xml = Sipp.Scenario("bridged-pcap-call.xml").Replace("@PCAP@", pcap, StringComparison.Ordinal).Replace("@WAIT@", "1500", StringComparison.Ordinal);
        var (exit, output) = await Sipp.RunAsync(fx.SipPort, xml, "13700137009", BridgeFixture.RepairsNumber, callId);
        exit.ShouldBe(0, output);
        var (uasExit, uasOutput) = await uas.WaitAsync(TimeSpan.FromSeconds(60));
        uasExit.ShouldBe(0, uasOutput);

        (await fx.EventuallyAsync<string>(
            "SELECT coalesce(disposition, '') || '/' || coalesce(ended_by, '') || '/' || coalesce(agent_id, 0) FROM calls WHERE sip_call_id = @callId",
            new { callId }, "completed/agent/" + agentId)).ShouldBe("completed/agent/" + agentId);
        var path = await fx.EventuallyAsync<string>(
            "SELECT coalesce((SELECT r.path FROM recordings r JOIN calls c ON c.id = r.call_id WHERE c.sip_call_id = @callId AND r.leg_role = 'stereo' AND r.complete), '')",
            new { callId }, "x", seconds: 3);
        path.ShouldNotBeEmpty();

        // The caller's A-law speech as decoded samples, and the same after A-law → µ-law at the agent.
        var said = PcapReader.ReadRtp(pcap).SelectMany(p => p.Payload).Select(G711.DecodeAlaw).ToArray();
        var one = new byte[1];
        var atAgent = said.Select(s => { MediaBridge.Encode(CallCenter.Telephony.Sdp.AudioCodec.Pcmu, [s], one); return G711.DecodeUlaw(one[0]); }).ToArray();
        var (left, right) = StereoWavWriter.ReadChannels(path);
        var window = said[8000..16000]; // one second from the middle of the clip
        Contains(left, window).ShouldBeTrue("the caller's speech is on the left channel");
        Contains(right, atAgent[8000..16000]).ShouldBeTrue("the agent received it transcoded to µ-law and echoed it back");
    }

    internal static bool Contains(short[] haystack, short[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return true;
            }
        }

        return false;
    }
}
