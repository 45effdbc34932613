using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Supervisor;

public sealed class CallSearchTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    private async Task<Guid> InsertCallWithRecordingAsync(string recordingPath)
    {
        var callId = Guid.NewGuid();
        string[] statements =
        [
            """
            INSERT INTO calls (id, direction, sip_call_id, caller_number, dialed_number, service_line_id, agent_id, node, state, ended_at, disposition)
            SELECT $1, 'inbound', 'search-' || $1::text, '13800138001', '8008101000', 1, a.id, 'test', 'ended', now(), 'completed'
              FROM agents a WHERE a.username = 'agent1'
            """,
            "INSERT INTO transcript_segments (call_id, speaker, seq, start_ms, end_ms, text) VALUES ($1, 'customer', 1, 0, 2000, '我的电脑风扇100%在响')",
            "INSERT INTO recordings (call_id, leg_role, path, complete) VALUES ($1, 'customer', $2, true)",
        ];
        foreach (var sql in statements)
        {
            await using var cmd = app.Db.CreateCommand(sql);
            cmd.Parameters.AddWithValue(callId);
            if (sql.Contains("$2", StringComparison.Ordinal))
            {
                cmd.Parameters.AddWithValue(recordingPath);
            }

            await cmd.ExecuteNonQueryAsync();
        }

        return callId;
    }

    [PostgresFact]
    public async Task ASupervisorFindsCallsByCallerAndByWordsAndPlaysTheRecording()
    {
        var folder = Path.Combine(app.RecordingsPath, "2026", "11", "25");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "call.wav");
        byte[] wav = [.. "RIFF"u8, 36, 0, 0, 0, .. "WAVEfmt "u8, 16, 0, 0, 0, 1, 0, 1, 0, 64, 31, 0, 0, 128, 62, 0, 0, 2, 0, 16, 0, .. "data"u8, 0, 0, 0, 0];
        await File.WriteAllBytesAsync(file, wav);
        var callId = await InsertCallWithRecordingAsync(file);
        using var supervisor = await app.LoginAsync("supervisor");

        var byCaller = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/calls?caller=138-0013-8001");
        var byWords = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/calls?text=" + Uri.EscapeDataString("风扇100%"));
        var wildcard = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/calls?text=" + Uri.EscapeDataString("_"));
        var none = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/calls?text=" + Uri.EscapeDataString("屏幕"));
        var call = await supervisor.Http.GetFromJsonAsync<JsonElement>($"/api/calls/{callId}");
        var recordingId = call.GetProperty("recordings")[0].GetProperty("id").GetInt64();
        var audio = await supervisor.Http.GetAsync($"/api/calls/{callId}/recordings/{recordingId}");

        byCaller.EnumerateArray().Select(r => r.GetProperty("callId").GetGuid()).ShouldContain(callId);
        byWords.EnumerateArray().Select(r => r.GetProperty("callId").GetGuid()).ShouldContain(callId);
        wildcard.GetArrayLength().ShouldBe(0); // '_' is a literal here, not LIKE's any-character
        none.GetArrayLength().ShouldBe(0);
        audio.StatusCode.ShouldBe(HttpStatusCode.OK);
        audio.Content.Headers.ContentType!.MediaType.ShouldBe("audio/wav");
        (await audio.Content.ReadAsByteArrayAsync()).ShouldBe(wav);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'supervisor' AND action = 'recording_play' AND target_id = $1", callId.ToString())).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'supervisor' AND action = 'call_search'")).ShouldBe(4);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'call_search' AND details::text LIKE '%风扇%'")).ShouldBe(0);
    }

    [PostgresFact]
    public async Task RecordingsOutsideTheRecordingsFolderAndOtherAgentsCallsAreNotServed()
    {
        var outside = Path.Combine(Path.GetTempPath(), "cc-outside-" + Guid.NewGuid().ToString("N")[..8] + ".wav");
        await File.WriteAllBytesAsync(outside, [1, 2, 3]);
        try
        {
            var callId = await InsertCallWithRecordingAsync(outside);
            using var supervisor = await app.LoginAsync("supervisor");
            using var agent2 = await app.LoginAsync("agent2");
            var call = await supervisor.Http.GetFromJsonAsync<JsonElement>($"/api/calls/{callId}");
            var recordingId = call.GetProperty("recordings")[0].GetProperty("id").GetInt64();

            (await supervisor.Http.GetAsync($"/api/calls/{callId}/recordings/{recordingId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await agent2.Http.GetAsync($"/api/calls/{callId}/recordings/{recordingId}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await agent2.Http.GetAsync("/api/calls?caller=13800138001")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        finally
        {
            File.Delete(outside);
        }
    }
}
