using CallCenter.Agent.Web.Data;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.Telephony.Transcription;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallCenter.Telephony.Tests.Pipeline;

/// <summary>
/// A real sipp call into the softswitch: the customer leg's RTP reaches the live pipeline through the audio tap.
/// The transcriber is FAKED at the ITranscriber seam (no real Whisper weights here); VAD, queueing and storage are real.
/// </summary>
public sealed class SoftswitchPipelineTests
{
    private const string KnownText = "您好，我的手机开不了机。";

    [PostgresFact]
    public async Task TheCustomerLegOfASippCallIsTranscribedAndStoredAsItArrives()
    {
        await using var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync(
                """
                INSERT INTO service_lines (code, name_zh, name_en) VALUES ('repairs', '维修服务', 'Repairs');
                INSERT INTO toll_free_numbers (number, service_line_id) SELECT '8008101000', id FROM service_lines;
                """);
        }

        var recordings = Directory.CreateTempSubdirectory("cc-pipe-").FullName;
        var transcriber = new ScriptedTranscriber([(8000, KnownText)]);
        var port = SoftswitchFixture.FreePort();
        try
        {
            using var host = SoftswitchFixture.BuildHost(db.DataSource, port, "pipe-node-" + db.Name, recordings, replaceSeams: services =>
            {
                services.AddSingleton<ITranscriber>(transcriber);
                services.AddSingleton(new TranscriptionStatus(TranscriptionMode.Whisper));
            });
            await host.StartAsync();
            var callId = Guid.NewGuid().ToString("N") + "@test";
            var pcap = Sipp.Pcap("g711a.pcap");
            var xml = Sipp.Scenario("pcap-call.xml").Replace("@PCAP@", pcap, StringComparison.Ordinal).Replace("@PAUSE@", "9000", StringComparison.Ordinal);

            var (exit, output) = await Sipp.RunAsync(port, xml, "13700137003", "8008101000", callId);
            exit.ShouldBe(0, output);

            await using var conn = await db.DataSource.OpenConnectionAsync();
            var status = "";
            for (var i = 0; i < 150 && status is not ("complete" or "failed"); i++)
            {
                await Task.Delay(100);
                status = await conn.ExecuteScalarAsync<string>("SELECT transcription_status FROM calls WHERE sip_call_id = @callId", new { callId }) ?? "";
            }

            status.ShouldBe("complete");
            var segments = (await conn.QueryAsync<(string Speaker, string Text)>(
                "SELECT s.speaker, s.text FROM transcript_segments s JOIN calls c ON c.id = s.call_id WHERE c.sip_call_id = @callId ORDER BY s.seq",
                new { callId })).ToList();
            segments.ShouldNotBeEmpty();
            segments.ShouldAllBe(s => s.Speaker == "customer");
            segments.ShouldContain(s => s.Text == KnownText);
            transcriber.Calls.ShouldBeGreaterThan(0);
            await host.StopAsync();
        }
        finally
        {
            Directory.Delete(recordings, true);
        }
    }
}
