using CallCenter.Agent.Web.Data;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Tests.Sip;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>
/// A node that dies mid-call leaves its call row open and its WAV header behind its data; the next start of the
/// same node marks the call interrupted and repairs the recording. A kill cannot happen inside the test process,
/// so after a real call the test puts the row and file back into the state a kill leaves (open row, incomplete
/// recording, audio past the last header rewrite) and starts the node again.
/// </summary>
public sealed class CrashRecoveryTests
{
    [PostgresFact]
    public async Task ACallLeftOpenByADeadNodeIsMarkedInterruptedAtItsNextStartWithItsRecordingRepaired()
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

        var recordings = Directory.CreateTempSubdirectory("cc-crash-").FullName;
        try
        {
            await RunAsync(db, recordings);
        }
        finally
        {
            Directory.Delete(recordings, true);
        }
    }

    private static async Task RunAsync(TestDatabase db, string recordings)
    {
        var node = "crash-node-" + db.Name;
        var port = SoftswitchFixture.FreePort();
        using var first = SoftswitchFixture.BuildHost(db.DataSource, port, node, recordings);
        await first.StartAsync();
        using var caller = new UdpSipClient(port);
        var sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n";
        caller.Send($"INVITE sip:8008101000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{caller.LocalPort};branch=z9hG4bKcrash1\r\n"
            + "From: <sip:13711112222@127.0.0.1>;tag=k\r\nTo: <sip:8008101000@127.0.0.1>\r\nCall-ID: crash-1\r\nCSeq: 1 INVITE\r\n"
            + $"Content-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}");
        (await caller.FinalResponseAsync(TimeSpan.FromSeconds(10)))!.StatusCode.ShouldBe(200);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            // The row follows the 200 by one database write: wait (bounded) for it.
            var state = "";
            for (var i = 0; i < 100 && state is not ("announcing" or "queued"); i++)
            {
                await Task.Delay(50);
                state = await conn.QuerySingleAsync<string>("SELECT state FROM calls WHERE sip_call_id = 'crash-1'");
            }

            state.ShouldBeOneOf("announcing", "queued");
            // A half-written recording, as a kill would leave it: header says 0 bytes, data follows.
            var path = await conn.QuerySingleAsync<string>("SELECT path FROM recordings");
            await using var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            f.Seek(0, SeekOrigin.End);
            f.Write(new byte[1600]);
        }

        await first.StopAsync();
        using var second = SoftswitchFixture.BuildHost(db.DataSource, SoftswitchFixture.FreePort(), node, recordings);
        // What a kill leaves: StopAsync closed the row as a graceful shutdown does, so open it again.
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("UPDATE calls SET ended_at = NULL, disposition = NULL, ended_by = NULL, state = 'queued' WHERE sip_call_id = 'crash-1'");
            await conn.ExecuteAsync("UPDATE recordings SET complete = false, duration_ms = NULL");
            // The call was bridged to an agent when the node died: the agent would stay on_call for ever.
            await conn.ExecuteAsync(
                """
                WITH a AS (INSERT INTO agents (username, display_name, state) VALUES ('crashagent', 'crash agent', 'on_call') RETURNING id)
                UPDATE calls SET agent_id = (SELECT id FROM a), state = 'connected' WHERE sip_call_id = 'crash-1'
                """);
        }

        await second.StartAsync();
        await second.StopAsync();

        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            var (disposition, endedBy, state) = await conn.QuerySingleAsync<(string, string, string)>(
                "SELECT disposition, ended_by, state FROM calls WHERE sip_call_id = 'crash-1'");
            disposition.ShouldBe("interrupted");
            endedBy.ShouldBe("system");
            state.ShouldBe("ended");
            var (path, complete, duration) = await conn.QuerySingleAsync<(string, bool, long)>("SELECT path, complete, duration_ms FROM recordings");
            complete.ShouldBeTrue();
            WavReader.ReadMono8k(path).Length.ShouldBe((int)(duration * 8));
            // Its agent is freed: a wrap-up already due, which the sweep turns into available.
            (await conn.QuerySingleAsync<bool>(
                "SELECT state = 'available' OR (state = 'wrap_up' AND wrap_up_until <= now()) FROM agents WHERE username = 'crashagent'"))
                .ShouldBeTrue();
        }
    }
}
