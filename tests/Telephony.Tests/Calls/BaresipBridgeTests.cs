using CallCenter.Telephony.Media;
using CallCenter.Telephony.Tests.Media;
using CallCenter.Telephony.Tests.Pipeline;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>
/// A real softphone as the agent's phone: baresip registers with its own digest auth, is rung by the queue,
/// answers, and speaks a Mandarin clip while a sipp caller plays real A-law speech. Witnesses on both sides: what
/// baresip decoded (its sndfile dump) holds the caller's words transcoded to µ-law, and the stereo recording's
/// right channel holds baresip's clip sample for sample. The agent hangs up from the phone (ctrl_tcp), and quitting
/// baresip unregisters it, which takes the agent offline.
/// </summary>
[Collection(BridgeGroup.Name)]
public sealed class BaresipBridgeTests(BridgeFixture fx)
{
    [PostgresFact]
    public async Task ABaresipAgentPhoneRegistersAnswersHearsTheCallerIsRecordedHangsUpAndUnregisters()
    {
        await fx.RetireAgentsAsync();
        var user = "bsag" + Guid.NewGuid().ToString("N")[..6];
        var agentId = await fx.SipAgentAsync(user, "pw-baresip");
        var clip = TestAudio.Telephone(TestAudio.Clip("zh01_firered_aishell_BAC009S0764W0121.wav"));
        clip[16000..20000].Count(s => Math.Abs((int)s) > 300).ShouldBeGreaterThan(1000, "the compared stretch of the clip is speech, not silence");
        await using var phone = Baresip.Start(fx.SipPort, user, "pw-baresip", clip);
        (await fx.EventuallyAsync<string>("SELECT state FROM agents WHERE id = @agentId", new { agentId }, "available", seconds: 15))
            .ShouldBe("available", "baresip's REGISTER passed the digest challenge:\n" + phone.Log);

        var callId = "baresip-" + Guid.NewGuid().ToString("N")[..8];
        var pcap = Sipp.Pcap("g711a.pcap");
        var xml = Sipp.Scenario("bridged-pcap-call.xml").Replace("@PCAP@", pcap, StringComparison.Ordinal).Replace("@WAIT@", "1500", StringComparison.Ordinal);
        var caller = Sipp.RunAsync(fx.SipPort, xml, "13700137010", BridgeFixture.RepairsNumber, callId);
        (await fx.EventuallyAsync<string>(
            "SELECT coalesce((SELECT a.state FROM agents a JOIN calls c ON c.agent_id = a.id WHERE c.sip_call_id = @callId AND a.id = @agentId), '')",
            new { callId, agentId }, "on_call", seconds: 15)).ShouldBe("on_call", "the queue rang baresip and it answered:\n" + phone.Log);

        // Let both sides speak (the caller's clip starts 1.5 s after its ACK), then hang up from the phone.
        await Task.Delay(TimeSpan.FromSeconds(9));
        await phone.CommandAsync("hangup");
        var (exit, output) = await caller;
        exit.ShouldBe(0, output + "\n" + phone.Log);
        (await fx.EventuallyAsync<string>(
            "SELECT coalesce(disposition, '') || '/' || coalesce(ended_by, '') || '/' || coalesce(agent_id, 0) FROM calls WHERE sip_call_id = @callId",
            new { callId }, "completed/agent/" + agentId)).ShouldBe("completed/agent/" + agentId);

        // Quitting the softphone unregisters it: the agent goes offline rather than waiting for the binding to expire.
        // (It also closes sndfile's dump, so its WAV header is complete before it is read below.)
        (await phone.QuitAsync()).ShouldBe(0, phone.Log);
        (await fx.EventuallyAsync<string>("SELECT state FROM agents WHERE id = @agentId", new { agentId }, "offline", seconds: 10))
            .ShouldBe("offline", phone.Log);

        // The caller's speech as baresip decoded it: A-law from sipp, transcoded by us to the µ-law baresip chose.
        var said = PcapReader.ReadRtp(pcap).SelectMany(p => p.Payload).Select(G711.DecodeAlaw).ToArray();
        var one = new byte[1];
        var atAgent = said.Select(s => { MediaBridge.Encode(CallCenter.Telephony.Sdp.AudioCodec.Pcmu, [s], one); return G711.DecodeUlaw(one[0]); }).ToArray();
        atAgent[8000..12000].Count(s => Math.Abs((int)s) > 300).ShouldBeGreaterThan(1000, "the compared stretch of the caller's clip is speech");
        var heard = phone.HeardFiles().ShouldHaveSingleItem("sndfile dumped one decoded stream:\n" + phone.Log);
        var heardSamples = CallCenter.Telephony.Transcription.Audio.WavReader.Read(heard).Samples.Select(f => (short)MathF.Round(f * 32768f)).ToArray();
        SippBridgeTests.Contains(heardSamples, atAgent[8000..12000]).ShouldBeTrue("baresip heard the caller's words sample for sample");

        // baresip's clip on the recording's right channel; the clip is already µ-law exact, so PCMU carries it unchanged.
        var path = await fx.EventuallyAsync<string>(
            "SELECT coalesce((SELECT r.path FROM recordings r JOIN calls c ON c.id = r.call_id WHERE c.sip_call_id = @callId AND r.leg_role = 'stereo' AND r.complete), '')",
            new { callId }, "x", seconds: 3);
        path.ShouldNotBeEmpty();
        var (left, right) = StereoWavWriter.ReadChannels(path);
        SippBridgeTests.Contains(left, said[8000..12000]).ShouldBeTrue("the caller's speech is on the left channel");
        SippBridgeTests.Contains(right, clip[16000..20000]).ShouldBeTrue("baresip's clip is on the right channel");
    }
}
