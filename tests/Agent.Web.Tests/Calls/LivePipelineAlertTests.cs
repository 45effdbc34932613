using CallCenter.Agent.Web.Tests.Hubs;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Pipeline;
using CallCenter.Telephony.Screening;
using CallCenter.Telephony.Transcription;
using CallCenter.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace CallCenter.Agent.Web.Tests.Calls;

/// <summary>
/// From audio on the agent leg to the supervisor's SignalR alert through the running host: the pipeline uses the
/// host's screening service (rules from the database), the host's relay and hub. Two stand-ins, said plainly: the
/// audio is fed straight into the <see cref="ICallAudioSink"/> (LiveCallBrowserTests and RealEngineCallTests send it through the softswitch) and is a
/// synthetic voiced burst (real-speech detection is covered in Telephony.Tests); the transcriber is a fake at the
/// <see cref="ITranscriber"/> seam that returns the known sentence.
/// </summary>
public sealed class LivePipelineAlertTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    private const string Sentence = "您好，这是厂家的事，我们管不了。";

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [PostgresFact]
    public async Task ATabooPhraseOnTheAgentLegReachesTheSupervisorAsAnAlertWithTheStoredRule()
    {
        using var supervisor = await app.LoginAsync("supervisor");
        await using var hub = await ConnectAsync(supervisor);

        var callId = await RunCallAsync("agent1", CallLeg.Agent, Sentence);

        var expected = app.Factory.Services.GetRequiredService<ScreeningService>().Screen(Sentence, Speaker.Agent, RuleKind.Taboo).Select(h => h.Code).ToList();
        expected.ShouldNotBeEmpty();
        // An agent's taboo may also raise an escalation alert ("escalation:S2"); the two arrive in either order.
        var timeout = Timeout;
        var alert = (await hub.NextAsync("Alert", timeout)).Arguments[0];
        if (alert.GetProperty("ruleCode").GetString()!.StartsWith("escalation:", StringComparison.Ordinal))
        {
            alert = (await hub.NextAsync("Alert", timeout)).Arguments[0];
        }

        alert.GetProperty("callId").GetGuid().ShouldBe(callId);
        expected.ShouldContain(alert.GetProperty("ruleCode").GetString());
        (await app.CountAsync("SELECT count(*) FROM screening_hits WHERE call_id = $1", callId)).ShouldBeGreaterThanOrEqualTo(expected.Count);
    }

    [PostgresFact]
    public async Task ACustomerThreateningAComplaintRaisesAnEscalationAlertForSupervisors()
    {
        using var supervisor = await app.LoginAsync("supervisor");
        await using var hub = await ConnectAsync(supervisor);

        var callId = await RunCallAsync("agent3", CallLeg.Customer, "我要投诉你们，我要打12315，还要找媒体曝光！");

        (await app.CountAsync("SELECT count(*) FROM call_escalations WHERE call_id = $1", callId)).ShouldBeGreaterThan(0);
        var alert = (await hub.NextAsync("Alert", Timeout)).Arguments[0];
        alert.GetProperty("callId").GetGuid().ShouldBe(callId);
        alert.GetProperty("ruleCode").GetString()!.ShouldStartWith("escalation:S");
        alert.GetProperty("speaker").GetString().ShouldBe("customer");
    }

    private async Task<HubTestClient> ConnectAsync(UserClient user)
    {
        var ws = app.Factory.Server.CreateWebSocketClient();
        ws.ConfigureRequest = request => request.Headers.Cookie = user.CookieHeader;
        return await HubTestClient.ConnectAsync(ct => ws.ConnectAsync(new Uri(app.Factory.Server.BaseAddress, "hubs/agent"), ct), Timeout);
    }

    /// <summary>A connected call of the agent; the sentence is spoken on one leg through the pipeline, then both legs end.</summary>
    private async Task<Guid> RunCallAsync(string agent, CallLeg leg, string sentence)
    {
        var agentId = await app.AgentIdAsync(agent);
        var callId = await app.RingAsync(agentId, "13700137003");
        await using (var cmd = app.Db.CreateCommand("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, dialed_number, service_line_id, agent_id, node, state)
            VALUES ($1, 'inbound', 'pipe-' || $1::text, '13700137003', '8008101000', 1, $2, 'test', 'connected')
            """))
        {
            cmd.Parameters.AddWithValue(callId);
            cmd.Parameters.AddWithValue(agentId);
            await cmd.ExecuteNonQueryAsync();
        }

        var services = app.Factory.Services;
        await using var pipeline = new CallPipeline(Options.Create(new PipelineOptions()), new SentenceTranscriber(sentence),
            new TranscriptionStatus(TranscriptionMode.Whisper), services.GetRequiredService<ScreeningService>(), new TranscriptStore(app.Db),
            app.Bus, new PipelineMetrics(services.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<CallPipeline>.Instance);
        var audio = VoicedBurst(seconds: 2);
        for (var at = 0; at < audio.Length; at += 160)
        {
            pipeline.OnAudio(callId, leg, at, audio.AsSpan(at, Math.Min(160, audio.Length - at)));
        }

        pipeline.OnLegEnded(callId, leg);
        (await pipeline.WaitForCallAsync(callId, TimeSpan.FromSeconds(30))).ShouldBeTrue();
        return callId;
    }

    /// <summary>Half a second of silence, a vowel-like harmonic tone with a syllable rhythm, then a second of silence.</summary>
    private static short[] VoicedBurst(double seconds)
    {
        var pcm = new short[(int)((seconds + 1.5) * 8000)];
        for (var i = 4000; i < 4000 + (int)(seconds * 8000); i++)
        {
            var t = i / 8000.0;
            var envelope = 0.6 + (0.4 * Math.Sin(2 * Math.PI * 4 * t));
            var voice = Math.Sin(2 * Math.PI * 180 * t) + (0.5 * Math.Sin(2 * Math.PI * 360 * t)) + (0.3 * Math.Sin(2 * Math.PI * 720 * t));
            pcm[i] = (short)(6000 * envelope * voice);
        }

        return pcm;
    }

    /// <summary>FAKE at the ITranscriber seam: every utterance is heard as the given sentence.</summary>
    private sealed class SentenceTranscriber(string sentence) : ITranscriber
    {
        public Task<TranscriptionResult> TranscribeAsync(ReadOnlyMemory<float> pcm16k, TranscribeRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new TranscriptionResult(true,
                [new TranscriptionSegment(TimeSpan.Zero, TimeSpan.FromSeconds(pcm16k.Length / 16000.0), sentence, -0.2, 0.01)], "zh", null));
    }
}
