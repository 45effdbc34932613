using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Screening;
using Dapper;
using Npgsql;

namespace CallCenter.Telephony.Pipeline;

/// <summary>One stored transcript row (text already redacted).</summary>
public sealed record SegmentRow(Guid CallId, CallLeg Leg, int Seq, int StartMs, int EndMs, string Text, string? Language,
    double? AvgLogProb, double? NoSpeechProb, double? Confidence, string? Engine, bool Suspect, bool Failed);

/// <summary>Writes the pipeline's results: segments, hits, escalations, required-phrase results, the call's transcription status.</summary>
public sealed class TranscriptStore(NpgsqlDataSource db)
{
    public static string SpeakerText(CallLeg leg) => leg == CallLeg.Agent ? "agent" : "customer";

    public async Task<string?> CallerNumberAsync(Guid callId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT caller_number FROM calls WHERE id = @callId", new { callId }, cancellationToken: ct));
    }

    public async Task SetStatusAsync(Guid callId, string status, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE calls SET transcription_status = @status WHERE id = @callId", new { callId, status }, cancellationToken: ct));
    }

    /// <summary>Inserts a segment; a replay of the same (call, speaker, seq) keeps the first row and returns its id.</summary>
    public async Task<long> InsertSegmentAsync(SegmentRow s, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(s);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            WITH ins AS (
                INSERT INTO transcript_segments (call_id, speaker, seq, start_ms, end_ms, text, language, avg_logprob,
                                                 no_speech_prob, confidence, engine, suspect, failed)
                VALUES (@CallId, @Speaker, @Seq, @StartMs, @EndMs, @Text, @Language, @AvgLogProb, @NoSpeechProb,
                        @Confidence, @Engine, @Suspect, @Failed)
                ON CONFLICT (call_id, speaker, seq) DO NOTHING RETURNING id)
            SELECT id FROM ins
            UNION ALL SELECT id FROM transcript_segments WHERE call_id = @CallId AND speaker = @Speaker AND seq = @Seq
            LIMIT 1
            """, new
        {
            s.CallId, Speaker = SpeakerText(s.Leg), s.Seq, s.StartMs, s.EndMs, s.Text, s.Language,
            AvgLogProb = (float?)s.AvgLogProb, NoSpeechProb = (float?)s.NoSpeechProb, Confidence = (float?)s.Confidence,
            s.Engine, s.Suspect, s.Failed,
        }, cancellationToken: ct));
    }

    /// <summary>Stores hits against the rule rows by code (file rules have no id); a hit whose rule is not in the table is skipped and counted.</summary>
    public async Task<int> InsertHitsAsync(Guid callId, long segmentId, CallLeg leg, IEnumerable<(ScreeningHit Hit, int OffsetMs)> hits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hits);
        await using var conn = await db.OpenConnectionAsync(ct);
        var stored = 0;
        foreach (var (hit, offsetMs) in hits)
        {
            stored += await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO screening_hits (call_id, segment_id, rule_id, rule_version, speaker, matched_text, match_mode, offset_ms)
                SELECT @callId, @segmentId, r.id, @Version, @speaker, @MatchedText, @mode, @offsetMs
                  FROM screening_rules r WHERE r.code = @Code
                """, new
            {
                callId, segmentId, hit.Version, speaker = SpeakerText(leg), hit.MatchedText,
                mode = ScreeningRule.ModeText(hit.Mode), offsetMs, hit.Code,
            }, cancellationToken: ct));
        }

        return stored;
    }

    public async Task InsertEscalationAsync(Guid callId, long segmentId, EscalationResult escalation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO call_escalations (call_id, segment_id, level, repeated_anger, cues)
            VALUES (@callId, @segmentId, @Level, @RepeatedAnger, @cues)
            ON CONFLICT (call_id, level) DO NOTHING
            """, new { callId, segmentId, escalation.Level, escalation.RepeatedAnger, cues = escalation.Cues.Select(c => c.Code).Distinct().ToArray() },
            cancellationToken: ct));
    }

    public async Task SaveRequiredResultsAsync(Guid callId, IEnumerable<(RequiredCheckResult Result, long? SegmentId)> results, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(results);
        await using var conn = await db.OpenConnectionAsync(ct);
        foreach (var (r, segmentId) in results)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO required_phrase_results (call_id, check_code, passed, segment_id) VALUES (@callId, @Check, @Passed, @segmentId)
                ON CONFLICT (call_id, check_code) DO UPDATE SET passed = excluded.passed, segment_id = excluded.segment_id
                """, new { callId, r.Check, r.Passed, segmentId }, cancellationToken: ct));
        }
    }
}
