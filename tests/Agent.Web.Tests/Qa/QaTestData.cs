using System.Net.Http.Json;
using System.Text;
using CallCenter.Agent.Web.Qa;
using Npgsql;

namespace CallCenter.Agent.Web.Tests.Qa;

/// <summary>
/// Stand-ins for the live call pipeline (issue 3/4/5, built in parallel): calls, transcript segments, screening
/// hits, required-phrase results and recordings are inserted directly, with a real WAV file written here.
/// </summary>
internal static class QaTestData
{
    public const string Taboo = "这不归我管";

    /// <summary>An ended call of the agent; flagged ones carry an H taboo hit in the agent's second line.</summary>
    public static async Task<Guid> InsertCallAsync(WebAppFixture app, string agent, DateTimeOffset startedAt, int seconds,
        bool flagged, bool greetingPassed = false, string? recordingsPath = null)
    {
        var callId = Guid.NewGuid();
        await ExecAsync(app.Db, """
            INSERT INTO calls (id, direction, sip_call_id, caller_number, dialed_number, service_line_id, agent_id, node, state,
                               started_at, agent_answered_at, ended_at, disposition)
            SELECT $1, 'inbound', 'qa-' || $1::text, '13700137003', '8008101000', 1, a.id, 'test', 'ended',
                   $2, $2 + interval '2 seconds', $2 + make_interval(secs => $3), 'completed'
              FROM agents a WHERE a.username = $4
            """, callId, startedAt, seconds, agent);
        await ExecAsync(app.Db, "INSERT INTO transcript_segments (call_id, speaker, seq, start_ms, end_ms, text) VALUES ($1, 'customer', 1, 0, 1500, '你好，我的手机又开不了机了。')", callId);
        await ExecAsync(app.Db, $"INSERT INTO transcript_segments (call_id, speaker, seq, start_ms, end_ms, text) VALUES ($1, 'agent', 1, 1600, 3000, '{(flagged ? Taboo + "，你自己看说明书。" : "您好，请您先长按电源键。")}')", callId);
        await ExecAsync(app.Db, "INSERT INTO transcript_segments (call_id, speaker, seq, start_ms, end_ms, text) VALUES ($1, 'customer', 2, 3100, 4500, '好的，谢谢。')", callId);
        if (flagged)
        {
            await ExecAsync(app.Db, "INSERT INTO screening_rules (code, kind, phrase, severity, category) VALUES ('T950', 'taboo', $1, 'H', '推诿') ON CONFLICT (code) DO NOTHING", Taboo);
            await ExecAsync(app.Db, """
                INSERT INTO screening_hits (call_id, segment_id, rule_id, rule_version, speaker, matched_text, match_mode)
                SELECT $1, s.id, r.id, 1, 'agent', $2, 'exact' FROM transcript_segments s, screening_rules r
                 WHERE s.call_id = $1 AND s.speaker = 'agent' AND r.code = 'T950'
                """, callId, Taboo);
        }

        await ExecAsync(app.Db, "INSERT INTO required_phrase_results (call_id, check_code, passed) VALUES ($1, 'greeting', $2), ($1, 'closing', true)", callId, greetingPassed);
        if (recordingsPath is not null)
        {
            Directory.CreateDirectory(recordingsPath);
            var path = Path.Combine(recordingsPath, callId.ToString("N") + ".wav");
            await File.WriteAllBytesAsync(path, Tone(seconds: 6));
            await ExecAsync(app.Db, "INSERT INTO recordings (call_id, leg_role, path, duration_ms, complete) VALUES ($1, 'stereo', $2, 6000, true)", callId, path);
        }

        return callId;
    }

    /// <summary>A 16-bit mono 8 kHz PCM WAV of a quiet 440 Hz tone (a real file the browser decodes).</summary>
    public static byte[] Tone(int seconds)
    {
        const int rate = 8000;
        var samples = rate * seconds;
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms, Encoding.ASCII);
        w.Write("RIFF"u8); w.Write(36 + samples * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            w.Write((short)(3000 * Math.Sin(2 * Math.PI * 440 * i / rate)));
        }

        w.Flush();
        return ms.ToArray();
    }

    public static async Task<QaRunResult> RunAsync(UserClient client, DateOnly periodStart, long seed)
    {
        var response = await client.Http.PostAsJsonAsync("/api/qa/runs", new { planId = 1, periodStart, seed });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<QaRunResult>())!;
    }

    public static async Task<long> SampleIdAsync(WebAppFixture app, Guid callId) =>
        await app.CountAsync("SELECT id FROM qa_samples WHERE call_id = $1", callId);

    public static async Task ExecAsync(NpgsqlDataSource db, string sql, params object[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args)
        {
            cmd.Parameters.AddWithValue(a);
        }

        await cmd.ExecuteNonQueryAsync();
    }
}
