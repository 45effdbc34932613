using CallCenter.Agent.Web.Data;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Pipeline;
using CallCenter.Telephony.Screening;
using CallCenter.Telephony.Tests.Transcription;
using CallCenter.Telephony.Transcription;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CallCenter.Telephony.Tests.Pipeline;

/// <summary>
/// The pipeline composed as the host composes it (AddScreening, AddTranscription, AddCallPipeline) with the managed
/// Whisper engine and the synthetic micro model: its text is meaningless, but segments must arrive and be stored.
/// </summary>
public sealed class RealEnginePipelineTests
{
    [PostgresFact]
    public async Task TheManagedEngineIsWiredInAndItsSegmentsAreStored()
    {
        await using var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        var callId = Guid.NewGuid();
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("INSERT INTO calls (id, direction, sip_call_id, node) VALUES (@callId, 'inbound', 'real-engine', 'test')", new { callId });
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection([new("Transcription:ModelPath", Reference.Path(Reference.Micro))]);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(db.ConnectionString));
        builder.AddScreening();
        builder.AddTranscription();
        builder.AddCallPipeline();
        using var host = builder.Build();
        var sink = host.Services.GetRequiredService<ICallAudioSink>();
        var speech = TestAudio.Telephone(TestAudio.Reference("zh_duty_16k.wav"));

        TestAudio.Packets(TestAudio.Concat(new short[8000], speech, new short[8000]), 0, (o, p) => sink.OnAudio(callId, CallLeg.Agent, o, p));
        sink.OnLegEnded(callId, CallLeg.Agent);

        (await host.Services.GetRequiredService<CallPipeline>().WaitForCallAsync(callId, TimeSpan.FromMinutes(3))).ShouldBeTrue();
        await using var check = await db.DataSource.OpenConnectionAsync();
        var rows = (await check.QueryAsync<(string Engine, bool Failed, int EndMs)>(
            "SELECT engine, failed, end_ms FROM transcript_segments WHERE call_id = @callId", new { callId })).ToList();
        rows.ShouldNotBeEmpty();
        rows.ShouldAllBe(r => r.Engine == "WhisperTranscriber" && !r.Failed && r.EndMs > 0);
        (await check.ExecuteScalarAsync<string>("SELECT transcription_status FROM calls WHERE id = @callId", new { callId })).ShouldBe("complete");
        host.Services.GetRequiredService<ScreeningService>().ShouldNotBeNull();
    }
}
