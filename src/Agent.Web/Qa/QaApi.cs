using System.Security.Claims;
using System.Text;
using CallCenter.Agent.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CallCenter.Agent.Web.Qa;

public sealed record QaRunRequest(int PlanId, DateOnly PeriodStart, long? Seed);

public sealed record QaRunResult(int PlanId, DateOnly PeriodStart, long Seed, IReadOnlyList<QaPick> Picks);

public sealed record QaScoreInput(int ItemId, decimal Score, string? OverrideReason);

public sealed record QaSubmitRequest(IReadOnlyList<QaScoreInput>? Items, string? Comments);

public sealed record QaTextRequest(string? Text);

public sealed record QaSubmitResult(long SampleId, decimal TotalScore, string Grade, string GradeZh);

/// <summary>
/// QA endpoints. QA staff see only the samples assigned to them, agents only their own submitted evaluations,
/// supervisors their team's. Every view and export is audited (the audit row never holds transcript text).
/// </summary>
internal static class QaApi
{
    private const int MaxText = 2000;

    public static RouteGroupBuilder MapQaApi(this RouteGroupBuilder api)
    {
        var qa = api.MapGroup("/qa").WithTags("QA");
        qa.MapPost("/runs", Run).RequireAuthorization(Roles.QaRunPolicy);
        qa.MapGet("/samples", Samples).RequireAuthorization(Roles.QaRunPolicy);
        qa.MapGet("/samples/{sampleId:long}", Review);
        qa.MapPost("/samples/{sampleId:long}/evaluation", Submit).RequireAuthorization(Roles.QaPolicy);
        qa.MapGet("/mine", Mine).RequireAuthorization(Roles.AgentPolicy);
        qa.MapPost("/evaluations/{evaluationId:long}/acknowledge", (long evaluationId, HttpContext http, QaStore store, AuditLog audit) =>
            AgentAnswer(evaluationId, "acknowledged", new QaTextRequest(null), http, store, audit)).RequireAuthorization(Roles.AgentPolicy);
        qa.MapPost("/evaluations/{evaluationId:long}/dispute", (long evaluationId, QaTextRequest body, HttpContext http, QaStore store, AuditLog audit) =>
            AgentAnswer(evaluationId, "disputed", body, http, store, audit)).RequireAuthorization(Roles.AgentPolicy);
        qa.MapPost("/evaluations/{evaluationId:long}/resolve", Resolve).RequireAuthorization(Roles.SupervisorPolicy);
        qa.MapGet("/reports", Report).RequireAuthorization(Roles.SupervisorPolicy);
        qa.MapGet("/reports.csv", Csv).RequireAuthorization(Roles.SupervisorPolicy);
        return api;
    }

    private static async Task<Results<Ok<QaRunResult>, NotFound, Conflict<string>>> Run(QaRunRequest body, HttpContext http,
        QaStore store, AuditLog audit)
    {
        var plan = await store.PlanAsync(body.PlanId, http.RequestAborted);
        if (plan is null)
        {
            return TypedResults.NotFound();
        }

        // A new run without a seed draws one; the seed is stored and returned so the run can be reproduced.
        var seed = body.Seed ?? Random.Shared.NextInt64(1, long.MaxValue);
        var picks = await store.RunAsync(plan, body.PeriodStart, seed, AuditLog.ActorOf(http.User), http.RequestAborted);
        if (picks is null)
        {
            return TypedResults.Conflict("this plan and period were already sampled with another seed");
        }

        await audit.WriteAsync(http, "qa_sample_run", "qa_plan", plan.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            details: new { periodStart = body.PeriodStart, seed, picks = picks.Count });
        return TypedResults.Ok(new QaRunResult(plan.Id, body.PeriodStart, seed, picks));
    }

    private static async Task<Ok<IReadOnlyList<QaSampleRow>>> Samples(HttpContext http, QaStore store, AuditLog audit)
    {
        var user = http.User;
        IReadOnlyList<QaSampleRow> rows = user.IsInRole(Roles.Qa)
            ? await store.SamplesAsync(user.AgentId(), null, http.RequestAborted)
            : await store.SamplesAsync(null, await store.TeamOfAsync(user.AgentId(), http.RequestAborted) ?? -1, http.RequestAborted);
        await audit.WriteAsync(http, "qa_samples_view", details: new { rows = rows.Count });
        return TypedResults.Ok(rows);
    }

    private static async Task<Results<Ok<QaReview>, NotFound, ForbidHttpResult>> Review(long sampleId, HttpContext http,
        QaStore store, AuditLog audit)
    {
        var sample = await store.SampleAsync(sampleId, http.RequestAborted);
        if (sample is null)
        {
            return TypedResults.NotFound();
        }

        if (!await MayViewAsync(http.User, sample, store, http.RequestAborted))
        {
            await audit.WriteAsync(http, "qa_review_forbidden", "qa_sample", sampleId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return TypedResults.Forbid();
        }

        var review = await store.ReviewAsync(sample, http.RequestAborted);
        await audit.WriteAsync(http, "qa_review_view", "qa_sample", sampleId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            details: new { callId = sample.CallId });
        return TypedResults.Ok(review);
    }

    private static async Task<Results<Ok<QaSubmitResult>, NotFound, ForbidHttpResult, ValidationProblem, Conflict<string>>> Submit(
        long sampleId, QaSubmitRequest body, HttpContext http, QaStore store, AuditLog audit, ILogger<QaStore> logger)
    {
        var ct = http.RequestAborted;
        var sample = await store.SampleAsync(sampleId, ct);
        if (sample is null)
        {
            return TypedResults.NotFound();
        }

        var me = http.User.AgentId();
        if (sample.ReviewerId != me || sample.AgentId == me)
        {
            await audit.WriteAsync(http, "qa_submit_forbidden", "qa_sample", sampleId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return TypedResults.Forbid();
        }

        var review = await store.ReviewAsync(sample, ct);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var scores = new List<QaItemScore>();
        var given = body.Items ?? [];
        foreach (var item in review.Items)
        {
            var input = given.FirstOrDefault(g => g.ItemId == item.Id);
            var reason = string.IsNullOrWhiteSpace(input?.OverrideReason) ? null : input.OverrideReason.Trim();
            if (input is null)
            {
                errors[item.Code] = ["每一项都需要评分"];
            }
            else if (input.Score < 0 || input.Score > item.Weight)
            {
                errors[item.Code] = [$"分数须在 0 到 {item.Weight} 之间"];
            }
            else if (item.Prefilled is { } p && p != input.Score && reason is null)
            {
                // Overriding what screening found must be explained (issue 9).
                errors[item.Code] = ["修改自动预填的分数须填写理由"];
            }
            else if (reason is { Length: > MaxText })
            {
                errors[item.Code] = ["理由过长"];
            }
            else
            {
                scores.Add(new QaItemScore(item.Id, input.Score, item.Prefilled, item.Prefilled == input.Score ? null : reason));
            }
        }

        if (body.Comments is { Length: > MaxText })
        {
            errors["comments"] = ["评语过长"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var formItems = await store.FormItemsAsync(review.FormId, ct);
        var total = QaScoring.Total(formItems, scores);
        var grade = QaScoring.Grade(total);
        var tabooItems = formItems.Where(i => i.Prefill == "taboo").Select(i => i.Id).ToHashSet();
        var tabooOverridden = scores.Any(s => tabooItems.Contains(s.ItemId) && s.OverrideReason is not null);
        if (!await store.SubmitAsync(sample, review.FormId, me, total, grade, body.Comments?.Trim(), scores, tabooOverridden, ct))
        {
            return TypedResults.Conflict("this call was already evaluated");
        }

        logger.LogInformation("QA evaluation of sample {SampleId} submitted: {Total} {Grade}", sampleId, total, grade);
        await audit.WriteAsync(http, "qa_evaluation_submit", "qa_sample", sampleId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            details: new { total, grade, overrides = scores.Count(s => s.OverrideReason is not null) });
        return TypedResults.Ok(new QaSubmitResult(sampleId, total, grade, QaScoring.GradeZh(grade)));
    }

    private static async Task<Ok<IReadOnlyList<QaSampleRow>>> Mine(HttpContext http, QaStore store, AuditLog audit)
    {
        var rows = await store.EvaluationsOfAgentAsync(http.User.AgentId(), http.RequestAborted);
        await audit.WriteAsync(http, "qa_own_evaluations_view", details: new { rows = rows.Count });
        return TypedResults.Ok(rows);
    }

    private static async Task<Results<NoContent, NotFound, ForbidHttpResult, ValidationProblem, Conflict<string>>> AgentAnswer(
        long evaluationId, string to, QaTextRequest body, HttpContext http, QaStore store, AuditLog audit)
    {
        var sample = await store.SampleOfEvaluationAsync(evaluationId, http.RequestAborted);
        if (sample is null)
        {
            return TypedResults.NotFound();
        }

        if (sample.AgentId != http.User.AgentId())
        {
            return TypedResults.Forbid();
        }

        var text = body.Text?.Trim();
        if (to == "disputed" && (string.IsNullOrEmpty(text) || text.Length > MaxText))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["text"] = ["请说明申诉理由"] });
        }

        if (!await store.TransitionAsync(evaluationId, "submitted", to, text, null, http.RequestAborted))
        {
            return TypedResults.Conflict("the evaluation is not waiting for your answer");
        }

        await audit.WriteAsync(http, to == "disputed" ? "qa_evaluation_dispute" : "qa_evaluation_acknowledge", "qa_evaluation",
            evaluationId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ForbidHttpResult, ValidationProblem, Conflict<string>>> Resolve(
        long evaluationId, QaTextRequest body, HttpContext http, QaStore store, AuditLog audit)
    {
        var sample = await store.SampleOfEvaluationAsync(evaluationId, http.RequestAborted);
        if (sample is null)
        {
            return TypedResults.NotFound();
        }

        if (!await MayViewAsync(http.User, sample, store, http.RequestAborted) || sample.AgentId == http.User.AgentId())
        {
            return TypedResults.Forbid();
        }

        var text = body.Text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxText)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["text"] = ["请填写处理意见"] });
        }

        if (!await store.TransitionAsync(evaluationId, "disputed", "resolved", text, http.User.AgentId(), http.RequestAborted))
        {
            return TypedResults.Conflict("the evaluation is not disputed");
        }

        await audit.WriteAsync(http, "qa_dispute_resolve", "qa_evaluation", evaluationId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<QaReport>, ValidationProblem>> Report(DateOnly? from, DateOnly? to, HttpContext http,
        QaReports reports, QaStore store, AuditLog audit, TimeProvider clock)
    {
        var (f, t) = Range(from, to, clock);
        var team = await store.TeamOfAsync(http.User.AgentId(), http.RequestAborted) ?? -1;
        var report = await reports.BuildAsync(f, t, team, http.RequestAborted);
        await audit.WriteAsync(http, "qa_report_view", "team", team.ToString(System.Globalization.CultureInfo.InvariantCulture), details: new { from = f, to = t });
        return TypedResults.Ok(report);
    }

    private static async Task<FileContentHttpResult> Csv(DateOnly? from, DateOnly? to, HttpContext http, QaReports reports,
        QaStore store, AuditLog audit, TimeProvider clock)
    {
        var (f, t) = Range(from, to, clock);
        var team = await store.TeamOfAsync(http.User.AgentId(), http.RequestAborted) ?? -1;
        var report = await reports.BuildAsync(f, t, team, http.RequestAborted);
        await audit.WriteAsync(http, "qa_report_export", "team", team.ToString(System.Globalization.CultureInfo.InvariantCulture), details: new { from = f, to = t });
        // UTF-8 with BOM so Excel shows the Chinese names.
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(QaReports.ToCsv(report))).ToArray();
        return TypedResults.File(bytes, "text/csv; charset=utf-8", $"qa-report-{f:yyyyMMdd}-{t:yyyyMMdd}.csv");
    }

    private static (DateOnly From, DateOnly To) Range(DateOnly? from, DateOnly? to, TimeProvider clock)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var t = to ?? today;
        var f = from ?? t.AddDays(-84);
        return f > t ? (t, f) : (f, t);
    }

    /// <summary>The assigned reviewer; the agent once it is submitted; a supervisor of the agent's team.</summary>
    public static async Task<bool> MayViewAsync(ClaimsPrincipal user, QaSampleRow sample, QaStore store, CancellationToken ct)
    {
        var me = user.AgentId();
        if (user.IsInRole(Roles.Qa) && sample.ReviewerId == me)
        {
            return true;
        }

        if (user.IsInRole(Roles.Agent) && sample.AgentId == me)
        {
            return sample.Status is not null and not "draft";
        }

        if (user.IsInRole(Roles.Supervisor))
        {
            var mine = await store.TeamOfAsync(me, ct);
            return mine is not null && mine == await store.TeamOfAsync(sample.AgentId, ct);
        }

        return false;
    }
}
