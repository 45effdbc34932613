using CallCenter.Agent.Web.Data;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Pipeline;
using CallCenter.Telephony.Screening;
using CallCenter.Telephony.Tests.Screening;
using CallCenter.Telephony.Transcription;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace CallCenter.Telephony.Tests.Pipeline;

/// <summary>
/// The pipeline on a real PostgreSQL with real speech through the same <see cref="ICallAudioSink"/> the softswitch
/// calls (both legs are fed here directly; the softswitch's taps are tested with sipp elsewhere). Only the transcriber
/// is a fake (<see cref="ScriptedTranscriber"/>); detection, queueing, redaction, storage, screening and events are real.
/// </summary>
[Collection(ScreeningGroup.Name)]
public sealed class CallPipelineTests(ScreeningFixture fixture)
{
    private const string CallerNumber = "13800138000";
    private const string AgentGreeting = "您好，这是厂家的事，我们管不了。";
    private const string CustomerComplaint = "我要投诉你们，打12315！我另一个号码是13912345678，这个号码13800138000也行。";
    private const string AgentPromise = "明天上午给您答复，感谢您的来电，再见。";

    [PostgresFact]
    public async Task ACallIsTranscribedRedactedScreenedAndCompletedAfterHangUp()
    {
        await using var db = await TestDatabase.CreateAsync();
        await PrepareAsync(db);
        var callId = await NewCallAsync(db);
        var greeting = TestAudio.Telephone(TestAudio.Clip("zh01_firered_aishell_BAC009S0764W0121.wav"));
        var complaint = TestAudio.Telephone(TestAudio.Clip("zh02_firered_IT0011W0001.wav"));
        var promise = TestAudio.Telephone(TestAudio.Clip("zh06_wenet_nst_ID001.wav"));
        var transcriber = new ScriptedTranscriber([(greeting.Length, AgentGreeting), (complaint.Length, CustomerComplaint), (promise.Length, AgentPromise)]);
        using var bus = new CallEventBus();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var events = bus.SubscribeAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var firstEvent = events.MoveNextAsync(); // subscribes now, before any audio
        await using var pipeline = NewPipeline(db, transcriber, bus);

        // Agent: greeting at 1 s, promise at 9 s; customer: complaint at 5 s. Silence between, as on a line.
        var agent = TestAudio.Concat(new short[8000], greeting, new short[8000 * 4], promise, new short[8000]);
        var customer = TestAudio.Concat(new short[8000 * 5], complaint, new short[8000 * 2]);
        TestAudio.Packets(agent, 0, (o, p) => pipeline.OnAudio(callId, CallLeg.Agent, o, p));
        TestAudio.Packets(customer, 0, (o, p) => pipeline.OnAudio(callId, CallLeg.Customer, o, p));
        pipeline.OnLegEnded(callId, CallLeg.Customer);
        pipeline.OnLegEnded(callId, CallLeg.Agent);

        (await pipeline.WaitForCallAsync(callId, TimeSpan.FromSeconds(60))).ShouldBeTrue();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        (await conn.ExecuteScalarAsync<string>("SELECT transcription_status FROM calls WHERE id = @callId", new { callId })).ShouldBe("complete");
        var segments = (await conn.QueryAsync<(long Id, string Speaker, int Seq, int StartMs, int EndMs, string Text, bool Suspect, bool Failed)>(
            "SELECT id, speaker, seq, start_ms, end_ms, text, suspect, failed FROM transcript_segments WHERE call_id = @callId ORDER BY start_ms",
            new { callId })).ToList();
        segments.Select(s => (s.Speaker, s.Seq)).ShouldBe([("agent", 0), ("customer", 0), ("agent", 1)]);
        segments[0].StartMs.ShouldBeInRange(500, 1500);
        segments[1].StartMs.ShouldBeInRange(4500, 5500);
        segments.ShouldAllBe(s => !s.Suspect && !s.Failed && s.EndMs > s.StartMs);

        // Redaction before storage: the other number is masked, the caller's own is kept.
        segments[1].Text.ShouldNotContain("13912345678");
        segments[1].Text.ShouldContain("[PHONE…5678]");
        segments[1].Text.ShouldContain(CallerNumber);

        var expected = fixture.Engine.Screen(AgentGreeting, Speaker.Agent, RuleKind.Taboo).Select(h => h.Code).ToList();
        expected.ShouldNotBeEmpty();
        var hits = (await conn.QueryAsync<(string Code, string Kind, string Speaker, long SegmentId, int OffsetMs, int Version, string MatchedText)>("""
            SELECT r.code, r.kind, h.speaker, h.segment_id, h.offset_ms, h.rule_version, h.matched_text
              FROM screening_hits h JOIN screening_rules r ON r.id = h.rule_id WHERE h.call_id = @callId ORDER BY h.id
            """, new { callId })).ToList();
        hits.Where(h => h.Kind == "taboo").Select(h => h.Code).ShouldBe(expected, ignoreOrder: true);
        hits.Where(h => h.Kind == "taboo").ShouldAllBe(h => h.Speaker == "agent" && h.SegmentId == segments[0].Id && h.OffsetMs >= segments[0].StartMs);
        hits.ShouldContain(h => h.Kind == "customer_cue" && h.Speaker == "customer" && h.SegmentId == segments[1].Id);

        (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM call_escalations WHERE call_id = @callId", new { callId })).ShouldBeGreaterThan(0);
        var required = (await conn.QueryAsync<(string Check, bool Passed, long? SegmentId)>(
            "SELECT check_code, passed, segment_id FROM required_phrase_results WHERE call_id = @callId", new { callId })).ToDictionary(r => r.Check);
        required["greeting"].ShouldBe(("greeting", true, segments[0].Id));
        required["closing"].Passed.ShouldBeTrue();

        (await firstEvent).ShouldBeTrue();
        var promised = events.Current as PromiseDetected;
        while (promised is null && await events.MoveNextAsync())
        {
            promised = events.Current as PromiseDetected;
        }

        promised.ShouldNotBeNull();
        promised.CallId.ShouldBe(callId);
        promised.SegmentId.ShouldBe(segments[2].Id);
        promised.DueAt.ShouldBeGreaterThan(promised.At);
    }

    [PostgresFact]
    public async Task AFailedTranscriptionMarksTheCallFailedAndKeepsAGapRowNeverSilentlyEmpty()
    {
        await using var db = await TestDatabase.CreateAsync();
        await PrepareAsync(db);
        var callId = await NewCallAsync(db);
        var speech = TestAudio.Telephone(TestAudio.Clip("zh01_firered_aishell_BAC009S0764W0121.wav"));
        using var bus = new CallEventBus();
        await using var pipeline = NewPipeline(db, new ScriptedTranscriber([(speech.Length, "x")], fail: true), bus);

        TestAudio.Packets(TestAudio.Concat(new short[8000], speech, new short[8000]), 0, (o, p) => pipeline.OnAudio(callId, CallLeg.Customer, o, p));
        pipeline.OnLegEnded(callId, CallLeg.Customer);

        (await pipeline.WaitForCallAsync(callId, TimeSpan.FromSeconds(60))).ShouldBeTrue();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        (await conn.ExecuteScalarAsync<string>("SELECT transcription_status FROM calls WHERE id = @callId", new { callId })).ShouldBe("failed");
        var rows = (await conn.QueryAsync<(bool Failed, string Text)>("SELECT failed, text FROM transcript_segments WHERE call_id = @callId", new { callId })).ToList();
        rows.ShouldBe([(true, string.Empty)]);
    }

    [PostgresFact]
    public async Task ASilentNoisyCallNeverReachesTheTranscriberAndIsCompleteAndEmpty()
    {
        await using var db = await TestDatabase.CreateAsync();
        await PrepareAsync(db);
        var callId = await NewCallAsync(db);
        var transcriber = new ScriptedTranscriber([(1, "谢谢观看")]);
        using var bus = new CallEventBus();
        await using var pipeline = NewPipeline(db, transcriber, bus);
        var noise = TestAudio.Telephone(TestAudio.Reference("silence_noise_3s.wav"));

        TestAudio.Packets(TestAudio.Concat(noise, noise), 0, (o, p) => pipeline.OnAudio(callId, CallLeg.Customer, o, p));
        TestAudio.Packets(TestAudio.Noise(8000 * 6, -40, seed: 9), 0, (o, p) => pipeline.OnAudio(callId, CallLeg.Agent, o, p));
        pipeline.OnLegEnded(callId, CallLeg.Agent);
        pipeline.OnLegEnded(callId, CallLeg.Customer);

        (await pipeline.WaitForCallAsync(callId, TimeSpan.FromSeconds(60))).ShouldBeTrue();
        transcriber.Calls.ShouldBe(0);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        (await conn.ExecuteScalarAsync<string>("SELECT transcription_status FROM calls WHERE id = @callId", new { callId })).ShouldBe("complete");
        (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM transcript_segments WHERE call_id = @callId", new { callId })).ShouldBe(0);
    }

    [PostgresFact]
    public async Task StockPhraseOutputIsStoredAsSuspectAndNotScreened()
    {
        await using var db = await TestDatabase.CreateAsync();
        await PrepareAsync(db);
        var callId = await NewCallAsync(db);
        var speech = TestAudio.Telephone(TestAudio.Clip("zh01_firered_aishell_BAC009S0764W0121.wav"));
        using var bus = new CallEventBus();
        await using var pipeline = NewPipeline(db, new ScriptedTranscriber([(speech.Length, "这是厂家的事。谢谢观看")]), bus);

        TestAudio.Packets(TestAudio.Concat(new short[8000], speech, new short[8000]), 0, (o, p) => pipeline.OnAudio(callId, CallLeg.Agent, o, p));
        pipeline.OnLegEnded(callId, CallLeg.Agent);

        (await pipeline.WaitForCallAsync(callId, TimeSpan.FromSeconds(60))).ShouldBeTrue();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        (await conn.ExecuteScalarAsync<bool>("SELECT suspect FROM transcript_segments WHERE call_id = @callId", new { callId })).ShouldBeTrue();
        (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM screening_hits WHERE call_id = @callId", new { callId })).ShouldBe(0);
    }

    private CallPipeline NewPipeline(TestDatabase db, ITranscriber transcriber, CallEventBus bus)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var screening = new ScreeningService(fixture.Catalog, Options.Create(new ScreeningOptions()), meters, TimeProvider.System);
        return new CallPipeline(Options.Create(new PipelineOptions()), transcriber, new TranscriptionStatus(TranscriptionMode.Whisper), screening,
            new TranscriptStore(db.DataSource), bus, new PipelineMetrics(meters), TimeProvider.System, NullLogger<CallPipeline>.Instance);
    }

    private async Task PrepareAsync(TestDatabase db)
    {
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await new ScreeningRuleStore(db.DataSource, NullLogger<ScreeningRuleStore>.Instance).SyncAsync(fixture.Catalog.FileRules, CancellationToken.None);
    }

    private static async Task<Guid> NewCallAsync(TestDatabase db)
    {
        var callId = Guid.NewGuid();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, node, state)
            VALUES (@callId, 'inbound', @sip, @CallerNumber, 'test', 'connected')
            """, new { callId, sip = callId.ToString(), CallerNumber });
        return callId;
    }
}
