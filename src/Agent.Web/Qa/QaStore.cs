using Dapper;
using Npgsql;

namespace CallCenter.Agent.Web.Qa;

public sealed record QaSampleRow(long Id, Guid CallId, int AgentId, string AgentName, string? LineCode, string Stratum,
    int? ReviewerId, DateTime PeriodStart, DateTime? CallStartedAt, string? Status, decimal? TotalScore, string? Grade);

public sealed record QaSegment(long Id, string Speaker, int StartMs, int EndMs, string Text);

public sealed record QaHit(long Id, long? SegmentId, string RuleCode, string? Category, string? Severity, string Speaker, string MatchedText);

public sealed record QaRequiredResult(string CheckCode, bool Passed);

public sealed record QaRecording(long Id, long? DurationMs);

public sealed record QaFormItemView(int Id, string Code, string TitleZh, int Weight, bool Fatal, string? Guidance,
    decimal? Prefilled, decimal? Score, string? OverrideReason);

public sealed record QaEvaluationView(long Id, int ReviewerId, decimal? TotalScore, string? Grade, string? GradeZh, string? Comments,
    string Status, string? DisputeText, string? ResolutionText, DateTime? SubmittedAt);

/// <summary>Everything the review page shows for one sampled call. Transcript text is already redacted upstream.</summary>
public sealed record QaReview(QaSampleRow Sample, int FormId, IReadOnlyList<QaSegment> Transcript, IReadOnlyList<QaHit> Hits,
    IReadOnlyList<QaRequiredResult> Required, IReadOnlyList<QaRecording> Recordings, IReadOnlyList<QaFormItemView> Items,
    QaEvaluationView? Evaluation);

/// <summary>Reads and writes the qa_* tables; authorisation is decided by the caller (QaApi) from these rows.</summary>
public sealed class QaStore(NpgsqlDataSource db)
{
    private const string SampleColumns = """
        s.id, s.call_id AS CallId, s.agent_id AS AgentId, a.display_name AS AgentName, l.code AS LineCode, s.stratum,
        s.reviewer_id AS ReviewerId, s.period_start::timestamp AS PeriodStart, c.started_at AS CallStartedAt,
        e.status, e.total_score AS TotalScore, e.grade
          FROM qa_samples s JOIN agents a ON a.id = s.agent_id JOIN calls c ON c.id = s.call_id
          LEFT JOIN service_lines l ON l.id = c.service_line_id
          LEFT JOIN qa_evaluations e ON e.sample_id = s.id
        """;

    public async Task<QaPlan?> PlanAsync(int planId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<QaPlan>(new CommandDefinition("""
            SELECT id, name, period, samples_per_agent AS SamplesPerAgent, new_agent_weeks AS NewAgentWeeks,
                   new_agent_multiplier AS NewAgentMultiplier, min_call_seconds AS MinCallSeconds,
                   include_flagged AS IncludeFlagged, stratify_by_line AS StratifyByLine
              FROM qa_sampling_plans WHERE id = @planId AND active
            """, new { planId }, cancellationToken: ct));
    }

    /// <summary>
    /// Runs (or re-runs) a plan for a period. The first run stores its seed; a later run with another seed is
    /// refused (returns null) so a stored sample can never be silently replaced. Re-running adds nothing new.
    /// </summary>
    public async Task<IReadOnlyList<QaPick>?> RunAsync(QaPlan plan, DateOnly periodStart, long seed, string actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var start = periodStart.ToDateTime(TimeOnly.MinValue);
        var stored = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO qa_sample_runs (plan_id, period_start, seed, created_by) VALUES (@Id, @start::date, @seed, @actor)
            ON CONFLICT (plan_id, period_start) DO UPDATE SET seed = qa_sample_runs.seed
            RETURNING seed
            """, new { plan.Id, start, seed, actor }, tx, cancellationToken: ct));
        if (stored != seed)
        {
            return null;
        }

        var end = QaSampler.PeriodEnd(plan, periodStart).ToDateTime(TimeOnly.MinValue);
        var candidates = await conn.QueryAsync<QaCandidate>(new CommandDefinition("""
            SELECT c.id AS CallId, c.agent_id AS AgentId, c.service_line_id AS LineId,
                   GREATEST(0, EXTRACT(EPOCH FROM c.ended_at - COALESCE(c.agent_answered_at, c.answered_at, c.started_at)))::int AS DurationSeconds,
                   EXISTS (SELECT 1 FROM screening_hits h JOIN screening_rules r ON r.id = h.rule_id
                            WHERE h.call_id = c.id AND h.qa_status <> 'overridden'
                              AND ((r.kind = 'taboo' AND r.severity = 'H')
                                OR (r.kind = 'customer_cue' AND r.severity IN ('S1','S2')))) AS Flagged
              FROM calls c
             WHERE c.agent_id IS NOT NULL AND c.ended_at IS NOT NULL
               AND c.started_at >= @start::date AND c.started_at < @end::date
            """, new { start, end }, tx, cancellationToken: ct));
        var hired = (await conn.QueryAsync<(int Id, DateTime? HiredOn)>(new CommandDefinition(
            "SELECT id, hired_on::timestamp FROM agents", transaction: tx, cancellationToken: ct)))
            .ToDictionary(a => a.Id, a => a.HiredOn is { } h ? DateOnly.FromDateTime(h) : (DateOnly?)null);
        var reviewers = (await conn.QueryAsync<int>(new CommandDefinition(
            "SELECT id FROM agents WHERE active AND 'qa' = ANY(roles) ORDER BY id", transaction: tx, cancellationToken: ct))).ToList();

        var picks = QaSampler.Sample(plan, periodStart, seed, candidates, hired, reviewers);
        foreach (var p in picks)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO qa_samples (plan_id, period_start, seed, call_id, agent_id, stratum, reviewer_id)
                VALUES (@planId, @start::date, @seed, @CallId, @AgentId, @Stratum, @ReviewerId)
                ON CONFLICT (plan_id, period_start, call_id) DO NOTHING
                """, new { planId = plan.Id, start, seed, p.CallId, p.AgentId, p.Stratum, p.ReviewerId }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        return picks;
    }

    /// <summary>Samples assigned to a reviewer, or (reviewer null) of the agents in a team.</summary>
    public async Task<IReadOnlyList<QaSampleRow>> SamplesAsync(int? reviewerId, int? teamId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<QaSampleRow>(new CommandDefinition($"""
            SELECT {SampleColumns}
             WHERE (@reviewerId::int IS NULL OR s.reviewer_id = @reviewerId)
               AND (@teamId::int IS NULL OR a.team_id = @teamId)
             ORDER BY s.period_start DESC, s.id LIMIT 500
            """, new { reviewerId, teamId }, cancellationToken: ct))).ToList();
    }

    public async Task<QaSampleRow?> SampleAsync(long sampleId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<QaSampleRow>(new CommandDefinition(
            $"SELECT {SampleColumns} WHERE s.id = @sampleId", new { sampleId }, cancellationToken: ct));
    }

    public async Task<int?> TeamOfAsync(int agentId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT team_id FROM agents WHERE id = @agentId", new { agentId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<QaFormItem>> FormItemsAsync(int formId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<QaFormItem>(new CommandDefinition("""
            SELECT id, code, title_zh AS TitleZh, weight, fatal, guidance, prefill, position
              FROM qa_form_items WHERE form_id = @formId ORDER BY position
            """, new { formId }, cancellationToken: ct))).ToList();
    }

    /// <summary>The newest active form (the seeded 通话质检标准表 unless an admin added a later one).</summary>
    public async Task<int> ActiveFormIdAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT id FROM qa_forms WHERE active ORDER BY created_at DESC, id DESC LIMIT 1", cancellationToken: ct));
    }

    public async Task<QaReview> ReviewAsync(QaSampleRow sample, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var callId = sample.CallId;
        var transcript = (await conn.QueryAsync<QaSegment>(new CommandDefinition("""
            SELECT id, speaker, start_ms AS StartMs, end_ms AS EndMs, text FROM transcript_segments
             WHERE call_id = @callId ORDER BY start_ms, id LIMIT 2000
            """, new { callId }, cancellationToken: ct))).ToList();
        var hits = (await conn.QueryAsync<QaHit>(new CommandDefinition("""
            SELECT h.id, h.segment_id AS SegmentId, r.code AS RuleCode, r.category, r.severity, h.speaker, h.matched_text AS MatchedText
              FROM screening_hits h JOIN screening_rules r ON r.id = h.rule_id
             WHERE h.call_id = @callId AND r.kind = 'taboo' ORDER BY h.id
            """, new { callId }, cancellationToken: ct))).ToList();
        var required = (await conn.QueryAsync<QaRequiredResult>(new CommandDefinition(
            "SELECT check_code AS CheckCode, passed FROM required_phrase_results WHERE call_id = @callId ORDER BY check_code",
            new { callId }, cancellationToken: ct))).ToList();
        var recordings = (await conn.QueryAsync<QaRecording>(new CommandDefinition(
            "SELECT id, duration_ms AS DurationMs FROM recordings WHERE call_id = @callId AND deleted_at IS NULL ORDER BY id",
            new { callId }, cancellationToken: ct))).ToList();
        var evaluation = await conn.QuerySingleOrDefaultAsync<EvaluationRow>(new CommandDefinition("""
            SELECT id, form_id AS FormId, reviewer_id AS ReviewerId, total_score AS TotalScore, grade, comments, status,
                   dispute_text AS DisputeText, resolution_text AS ResolutionText, submitted_at AS SubmittedAt
              FROM qa_evaluations WHERE sample_id = @Id
            """, new { sample.Id }, cancellationToken: ct));
        var formId = evaluation?.FormId ?? await ActiveFormIdAsync(ct);
        var scores = evaluation is null ? [] : (await conn.QueryAsync<QaItemScore>(new CommandDefinition("""
            SELECT item_id AS ItemId, score, prefilled, override_reason AS OverrideReason
              FROM qa_evaluation_items WHERE evaluation_id = @Id
            """, new { evaluation.Id }, cancellationToken: ct))).ToList();

        var severities = hits.Where(h => h.Speaker == "agent").Select(h => h.Severity).ToList();
        var passed = required.ToDictionary(r => r.CheckCode, r => r.Passed, StringComparer.Ordinal);
        var items = (await FormItemsAsync(formId, ct)).Select(i =>
        {
            var given = scores.FirstOrDefault(s => s.ItemId == i.Id);
            return new QaFormItemView(i.Id, i.Code, i.TitleZh, i.Weight, i.Fatal, i.Guidance,
                given is null ? QaScoring.Prefill(i, severities, passed) : given.Prefilled, given?.Score, given?.OverrideReason);
        }).ToList();
        var view = evaluation is null ? null : new QaEvaluationView(evaluation.Id, evaluation.ReviewerId, evaluation.TotalScore,
            evaluation.Grade, evaluation.Grade is null ? null : QaScoring.GradeZh(evaluation.Grade), evaluation.Comments,
            evaluation.Status, evaluation.DisputeText, evaluation.ResolutionText, evaluation.SubmittedAt);
        return new QaReview(sample, formId, transcript, hits, required, recordings, items, view);
    }

    /// <summary>Stores a submitted evaluation (one per sample; a draft may be replaced, a submitted one may not).</summary>
    public async Task<bool> SubmitAsync(QaSampleRow sample, int formId, int reviewerId, decimal total, string grade, string? comments,
        IReadOnlyList<QaItemScore> scores, bool tabooOverridden, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO qa_evaluations (sample_id, form_id, reviewer_id, total_score, grade, comments, status, submitted_at)
            VALUES (@sampleId, @formId, @reviewerId, @total, @grade, @comments, 'submitted', now())
            ON CONFLICT (sample_id) DO UPDATE SET total_score = EXCLUDED.total_score, grade = EXCLUDED.grade,
                comments = EXCLUDED.comments, status = 'submitted', submitted_at = now()
             WHERE qa_evaluations.status = 'draft'
            RETURNING id
            """, new { sampleId = sample.Id, formId, reviewerId, total, grade, comments }, tx, cancellationToken: ct));
        if (id is null)
        {
            return false;
        }

        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM qa_evaluation_items WHERE evaluation_id = @id", new { id }, tx, cancellationToken: ct));
        foreach (var s in scores)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO qa_evaluation_items (evaluation_id, item_id, score, prefilled, override_reason)
                VALUES (@id, @ItemId, @Score, @Prefilled, @OverrideReason)
                """, new { id, s.ItemId, s.Score, s.Prefilled, s.OverrideReason }, tx, cancellationToken: ct));
        }

        // The reviewer's verdict on the call's taboo hits: confirmed, unless the taboo-filled item was overridden.
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE screening_hits SET qa_status = @status
             WHERE call_id = @CallId AND qa_status = 'unreviewed'
               AND rule_id IN (SELECT id FROM screening_rules WHERE kind = 'taboo')
            """, new { status = tabooOverridden ? "overridden" : "confirmed", sample.CallId }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Moves an evaluation from one status to the next; false when it is not in the expected status.</summary>
    public async Task<bool> TransitionAsync(long evaluationId, string from, string to, string? text, int? resolvedBy, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE qa_evaluations SET status = @to,
                   acknowledged_at = CASE WHEN @to = 'acknowledged' THEN now() ELSE acknowledged_at END,
                   dispute_text = CASE WHEN @to = 'disputed' THEN @text ELSE dispute_text END,
                   disputed_at = CASE WHEN @to = 'disputed' THEN now() ELSE disputed_at END,
                   resolution_text = CASE WHEN @to = 'resolved' THEN @text ELSE resolution_text END,
                   resolved_by = CASE WHEN @to = 'resolved' THEN @resolvedBy ELSE resolved_by END,
                   resolved_at = CASE WHEN @to = 'resolved' THEN now() ELSE resolved_at END
             WHERE id = @evaluationId AND status = @from
            """, new { evaluationId, from, to, text, resolvedBy }, cancellationToken: ct)) == 1;
    }

    public async Task<QaSampleRow?> SampleOfEvaluationAsync(long evaluationId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<QaSampleRow>(new CommandDefinition(
            $"SELECT {SampleColumns} WHERE e.id = @evaluationId", new { evaluationId }, cancellationToken: ct));
    }

    /// <summary>Evaluations of one agent (submitted or later: drafts are the reviewer's own business).</summary>
    public async Task<IReadOnlyList<QaSampleRow>> EvaluationsOfAgentAsync(int agentId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<QaSampleRow>(new CommandDefinition($"""
            SELECT {SampleColumns} WHERE s.agent_id = @agentId AND e.status IS NOT NULL AND e.status <> 'draft'
             ORDER BY e.submitted_at DESC LIMIT 500
            """, new { agentId }, cancellationToken: ct))).ToList();
    }

    private sealed record EvaluationRow(long Id, int FormId, int ReviewerId, decimal? TotalScore, string? Grade, string? Comments,
        string Status, string? DisputeText, string? ResolutionText, DateTime? SubmittedAt);
}
