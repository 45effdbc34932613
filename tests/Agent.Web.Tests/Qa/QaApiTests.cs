using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.Agent.Web.Qa;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Qa;

/// <summary>The QA API on the real host and database; each test samples its own week so they stay independent.</summary>
public sealed class QaApiTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private static DateTimeOffset Tuesday(DateOnly monday) => new(monday.AddDays(1).ToDateTime(new TimeOnly(2, 0)), TimeSpan.Zero);

    private async Task<(Guid Flagged, Guid Short, List<Guid> Plain)> CallsAsync(DateOnly monday)
    {
        var at = Tuesday(monday);
        var flagged = await QaTestData.InsertCallAsync(app, "agent1", at, 8, flagged: true); // short, but flagged
        var tooShort = await QaTestData.InsertCallAsync(app, "agent1", at.AddMinutes(5), 10, flagged: false);
        var plain = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            plain.Add(await QaTestData.InsertCallAsync(app, "agent1", at.AddMinutes(10 + i), 120, flagged: false, greetingPassed: true));
        }

        return (flagged, tooShort, plain);
    }

    [PostgresFact]
    public async Task AFixedSeedGivesTheSameCallsFlaggedCallsAreInAndTheReviewerIsNeverTheAgent()
    {
        var monday = new DateOnly(2026, 1, 5);
        var (flagged, tooShort, _) = await CallsAsync(monday);
        using var qa = await app.LoginAsync("qa1");

        var first = await QaTestData.RunAsync(qa, monday, 20260105);
        first.Picks.ShouldContain(p => p.CallId == flagged && p.Stratum == "flagged");
        first.Picks.ShouldNotContain(p => p.CallId == tooShort);
        first.Picks.Count(p => p.Stratum.StartsWith("random:", StringComparison.Ordinal)).ShouldBe(5); // the plan's quota
        first.Picks.ShouldAllBe(p => p.ReviewerId == null || p.ReviewerId != p.AgentId);
        var stored = await app.CountAsync("SELECT count(*) FROM qa_samples WHERE period_start = '2026-01-05' AND seed = 20260105 AND reviewer_id <> agent_id");
        stored.ShouldBe(first.Picks.Count);

        var again = await QaTestData.RunAsync(qa, monday, 20260105);
        again.Picks.ShouldBe(first.Picks);
        (await app.CountAsync("SELECT count(*) FROM qa_samples WHERE period_start = '2026-01-05'")).ShouldBe(stored);

        // The stored seed is the sample: another seed for the same plan and period is refused.
        var other = await qa.Http.PostAsJsonAsync("/api/qa/runs", new { planId = 1, periodStart = monday, seed = 1 });
        other.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [PostgresFact]
    public async Task TheFormIsPrefilledFromScreeningAndAnOverrideNeedsAReason()
    {
        var monday = new DateOnly(2026, 1, 12);
        var (flagged, _, _) = await CallsAsync(monday);
        using var qa = await app.LoginAsync("qa1");
        await QaTestData.RunAsync(qa, monday, 7);
        var sampleId = await QaTestData.SampleIdAsync(app, flagged);

        var review = (await qa.Http.GetFromJsonAsync<QaReview>($"/api/qa/samples/{sampleId}", Json))!;
        review.Hits.ShouldHaveSingleItem().MatchedText.ShouldBe(QaTestData.Taboo);
        var item = review.Items.ToDictionary(i => i.Code);
        item["no_taboo"].Prefilled.ShouldBe(0m); // H hit = fatal
        item["greeting"].Prefilled.ShouldBe(0m); // greeting missing
        item["closing"].Prefilled.ShouldBe(10m);
        item["etiquette"].Prefilled.ShouldBeNull();

        // Accepting the pre-fill: the fatal item zeroes the call.
        object Scores(decimal noTaboo, string? reason) => new
        {
            items = review.Items.Select(i => new
            {
                itemId = i.Id,
                score = i.Code == "no_taboo" ? noTaboo : i.Prefilled ?? i.Weight,
                overrideReason = i.Code == "no_taboo" ? reason : null,
            }),
            comments = "请注意推诿用语",
        };
        var noReason = await qa.Http.PostAsJsonAsync($"/api/qa/samples/{sampleId}/evaluation", Scores(25, null));
        noReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noReason.Content.ReadAsStringAsync()).ShouldContain("no_taboo");

        var ok = await qa.Http.PostAsJsonAsync($"/api/qa/samples/{sampleId}/evaluation", Scores(0, null));
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = (await ok.Content.ReadFromJsonAsync<QaSubmitResult>(Json))!;
        result.TotalScore.ShouldBe(0m);
        result.Grade.ShouldBe(QaScoring.Fail);
        (await app.CountAsync("SELECT count(*) FROM screening_hits WHERE call_id = $1 AND qa_status = 'confirmed'", flagged)).ShouldBe(1);

        // A second submission of the same sample is refused.
        (await qa.Http.PostAsJsonAsync($"/api/qa/samples/{sampleId}/evaluation", Scores(0, null))).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [PostgresFact]
    public async Task AnOverrideWithAReasonIsStoredAndScoredAndTheHitMarkedOverridden()
    {
        var monday = new DateOnly(2026, 1, 19);
        var (flagged, _, _) = await CallsAsync(monday);
        using var qa = await app.LoginAsync("qa1");
        await QaTestData.RunAsync(qa, monday, 8);
        var sampleId = await QaTestData.SampleIdAsync(app, flagged);
        var review = (await qa.Http.GetFromJsonAsync<QaReview>($"/api/qa/samples/{sampleId}", Json))!;

        var body = new
        {
            items = review.Items.Select(i => new
            {
                itemId = i.Id,
                score = i.Code switch { "no_taboo" => 25m, "greeting" => 0m, "hangup" => 4.9m, _ => (decimal)i.Weight },
                overrideReason = i.Code == "no_taboo" ? "转写误识别，录音中未说此话" : null,
            }),
        };
        var response = await qa.Http.PostAsJsonAsync($"/api/qa/samples/{sampleId}/evaluation", body);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = (await response.Content.ReadFromJsonAsync<QaSubmitResult>(Json))!;
        result.TotalScore.ShouldBe(89.9m); // 100 - greeting 10 - 0.1 on hang-up
        result.Grade.ShouldBe(QaScoring.Good);
        result.GradeZh.ShouldBe("良好");
        (await app.CountAsync("SELECT count(*) FROM qa_evaluation_items WHERE override_reason IS NOT NULL AND prefilled = 0 AND score = 25")).ShouldBeGreaterThan(0);
        (await app.CountAsync("SELECT count(*) FROM screening_hits WHERE call_id = $1 AND qa_status = 'overridden'", flagged)).ShouldBe(1);
    }

    [PostgresFact]
    public async Task OnlyTheReviewerTheAgentAfterSubmissionAndTheTeamSupervisorSeeAnEvaluationAndEveryViewIsAudited()
    {
        var monday = new DateOnly(2026, 1, 26);
        var (flagged, _, _) = await CallsAsync(monday);
        using var qa = await app.LoginAsync("qa1");
        await QaTestData.RunAsync(qa, monday, 9);
        var sampleId = await QaTestData.SampleIdAsync(app, flagged);
        using var agent1 = await app.LoginAsync("agent1");
        using var agent2 = await app.LoginAsync("agent2");
        using var supervisor = await app.LoginAsync("supervisor");
        using var admin = await app.LoginAsync("admin");

        (await agent1.Http.GetAsync($"/api/qa/samples/{sampleId}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden); // not submitted yet
        (await agent1.Http.PostAsJsonAsync($"/api/qa/samples/{sampleId}/evaluation", new { items = Array.Empty<object>() })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent1.Http.PostAsJsonAsync("/api/qa/runs", new { planId = 1, periodStart = monday, seed = 9 })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var review = (await qa.Http.GetFromJsonAsync<QaReview>($"/api/qa/samples/{sampleId}", Json))!;
        var submit = await qa.Http.PostAsJsonAsync($"/api/qa/samples/{sampleId}/evaluation",
            new { items = review.Items.Select(i => new { itemId = i.Id, score = i.Prefilled ?? i.Weight }) });
        submit.StatusCode.ShouldBe(HttpStatusCode.OK);

        (await agent1.Http.GetAsync($"/api/qa/samples/{sampleId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await agent2.Http.GetAsync($"/api/qa/samples/{sampleId}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await supervisor.Http.GetAsync($"/api/qa/samples/{sampleId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.Http.GetAsync($"/api/qa/samples/{sampleId}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var mine = (await agent1.Http.GetFromJsonAsync<List<QaSampleRow>>("/api/qa/mine", Json))!;
        mine.ShouldContain(s => s.Id == sampleId && s.Status == "submitted");
        (await agent2.Http.GetFromJsonAsync<List<QaSampleRow>>("/api/qa/mine", Json))!.ShouldNotContain(s => s.Id == sampleId);

        // The agent disputes (another agent may not); the team's supervisor resolves.
        var evaluationId = await app.CountAsync("SELECT id FROM qa_evaluations WHERE sample_id = $1", sampleId);
        (await agent2.Http.PostAsJsonAsync($"/api/qa/evaluations/{evaluationId}/dispute", new { text = "不是我" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent1.Http.PostAsJsonAsync($"/api/qa/evaluations/{evaluationId}/dispute", new { text = "" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await agent1.Http.PostAsJsonAsync($"/api/qa/evaluations/{evaluationId}/dispute", new { text = "客户先说的这句话" })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await agent1.Http.PostAsJsonAsync($"/api/qa/evaluations/{evaluationId}/acknowledge", new { })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await qa.Http.PostAsJsonAsync($"/api/qa/evaluations/{evaluationId}/resolve", new { text = "维持" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await supervisor.Http.PostAsJsonAsync($"/api/qa/evaluations/{evaluationId}/resolve", new { text = "听录音后维持原评分" })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await app.CountAsync("SELECT count(*) FROM qa_evaluations WHERE id = $1 AND status = 'resolved' AND resolved_by IS NOT NULL", evaluationId)).ShouldBe(1);

        var target = sampleId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await app.CountAsync("SELECT count(DISTINCT actor) FROM audit_log WHERE action = 'qa_review_view' AND target_id = $1", target)).ShouldBe(3);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'qa_review_forbidden' AND target_id = $1 AND actor = 'agent2'", target)).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action LIKE 'qa_%' AND details::text LIKE '%' || $1 || '%'", QaTestData.Taboo)).ShouldBe(0);
    }

    [PostgresFact]
    public async Task TheTeamReportExportsAsCsvAndTheExportIsAudited()
    {
        var monday = new DateOnly(2026, 2, 2);
        var (flagged, _, _) = await CallsAsync(monday);
        using var qa = await app.LoginAsync("qa1");
        await QaTestData.RunAsync(qa, monday, 10);
        var sampleId = await QaTestData.SampleIdAsync(app, flagged);
        var review = (await qa.Http.GetFromJsonAsync<QaReview>($"/api/qa/samples/{sampleId}", Json))!;
        (await qa.Http.PostAsJsonAsync($"/api/qa/samples/{sampleId}/evaluation",
            new { items = review.Items.Select(i => new { itemId = i.Id, score = i.Prefilled ?? i.Weight }) })).EnsureSuccessStatusCode();

        using var supervisor = await app.LoginAsync("supervisor");
        var report = (await supervisor.Http.GetFromJsonAsync<QaReport>("/api/qa/reports", Json))!;
        report.Rows.ShouldContain(r => r.AgentName == "李静" && r.Fail >= 1);
        report.TopTabooCategories.ShouldContain(c => c.Category == "推诿");

        var csv = await supervisor.Http.GetAsync("/api/qa/reports.csv");
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var text = await csv.Content.ReadAsStringAsync();
        var lines = text.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("week,agent,team,evaluations,average_score,excellent,good,fair,fail,required_checks,required_passed");
        lines.ShouldContain(l => l.Contains(",李静,售后一组,", StringComparison.Ordinal));
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'qa_report_export' AND actor = 'supervisor'")).ShouldBeGreaterThan(0);

        using var agent = await app.LoginAsync("agent1");
        (await agent.Http.GetAsync("/api/qa/reports.csv")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [PostgresFact]
    public async Task ACallWithAnEscalationCueIsAlwaysSampled()
    {
        var monday = new DateOnly(2026, 2, 9);
        var (_, _, plain) = await CallsAsync(monday);
        // An S1 customer cue (e.g. a threat to go to the media) on an otherwise plain call.
        await QaTestData.ExecAsync(app.Db, "INSERT INTO screening_rules (code, kind, speaker, phrase, severity, category) VALUES ('CC950', 'customer_cue', 'customer', '找媒体', 'S1', 'media') ON CONFLICT (code) DO NOTHING");
        await QaTestData.ExecAsync(app.Db, """
            INSERT INTO screening_hits (call_id, rule_id, rule_version, speaker, matched_text, match_mode)
            SELECT $1, r.id, 1, 'customer', '找媒体', 'exact' FROM screening_rules r WHERE r.code = 'CC950'
            """, plain[0]);
        using var supervisor = await app.LoginAsync("supervisor");
        var run = await QaTestData.RunAsync(supervisor, monday, 99);
        run.Picks.ShouldContain(p => p.CallId == plain[0] && p.Stratum == "flagged");
    }

    [PostgresFact]
    public async Task AReviewerReadsTheCallAndRecordingOnlyOfSamplesAssignedToThem()
    {
        var monday = new DateOnly(2026, 2, 16);
        var (flagged, tooShort, plain) = await CallsAsync(monday);
        using var qa = await app.LoginAsync("qa1");
        var run = await QaTestData.RunAsync(qa, monday, 216);
        (await qa.Http.GetAsync($"/api/calls/{flagged}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await qa.Http.GetAsync($"/api/calls/{tooShort}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden); // never sampled

        // Handed to another reviewer: qa1 loses the call, the sample and the form.
        var other = plain.First(c => run.Picks.Any(p => p.CallId == c));
        await QaTestData.ExecAsync(app.Db, "INSERT INTO agents (username, display_name, roles) VALUES ('qa2', '钱质检', '{qa}') ON CONFLICT DO NOTHING");
        await QaTestData.ExecAsync(app.Db, "UPDATE qa_samples SET reviewer_id = (SELECT id FROM agents WHERE username = 'qa2') WHERE call_id = $1", other);
        var sampleId = await QaTestData.SampleIdAsync(app, other);
        (await qa.Http.GetAsync($"/api/calls/{other}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await qa.Http.GetAsync($"/api/qa/samples/{sampleId}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await qa.Http.PostAsJsonAsync($"/api/qa/samples/{sampleId}/evaluation", new { items = Array.Empty<object>() })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await qa.Http.GetFromJsonAsync<List<QaSampleRow>>("/api/qa/samples", Json))!.ShouldNotContain(s => s.Id == sampleId);
    }

    [Fact]
    public void CsvCellsAreQuotedAndFormulaeNeutralised()
    {
        QaReports.Cell("李静").ShouldBe("李静");
        QaReports.Cell("a,b").ShouldBe("\"a,b\"");
        QaReports.Cell("say \"hi\"").ShouldBe("\"say \"\"hi\"\"\"");
        QaReports.Cell("=HYPERLINK(1)").ShouldBe("'=HYPERLINK(1)");
    }
}
