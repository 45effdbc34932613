using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Callbacks;

public sealed class CallbacksApiTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [PostgresFact]
    public async Task TheListsShowADueAndAnOverdueCallbackAndTheHistoryListsEveryAttempt()
    {
        var (due, _) = await SeedAsync(app, notBefore: "now() + interval '30 minutes'");
        var (overdue, _) = await SeedAsync(app, notBefore: "now() - interval '2 hours'");
        using var supervisor = await app.LoginAsync("supervisor");

        var dueList = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/callbacks/due?hours=2");
        var overdueList = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/callbacks/overdue");
        var summary = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/callbacks/summary");
        var history = await supervisor.Http.GetFromJsonAsync<JsonElement>($"/api/callbacks/{overdue}/attempts");
        var missing = await supervisor.Http.GetAsync("/api/callbacks/999999999/attempts");

        Ids(dueList).ShouldContain(due);
        Ids(dueList).ShouldContain(overdue); // already due is due too
        Ids(overdueList).ShouldContain(overdue);
        Ids(overdueList).ShouldNotContain(due);
        dueList.EnumerateArray().First(r => r.GetProperty("callbackId").GetInt64() == due)
            .GetProperty("destination").GetString().ShouldNotBe("13800138000"); // masked
        summary.EnumerateArray().ShouldContain(s => s.GetProperty("kind").GetString() == "promise" && s.GetProperty("count").GetInt32() >= 2);
        history.EnumerateArray().Select(a => a.GetProperty("attemptNo").GetInt32()).ShouldBe([1, 2]);
        history[0].GetProperty("outcome").GetString().ShouldBe("no_answer");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [PostgresFact]
    public async Task RescheduleAndCancelChangeTheRowsAndAreAudited()
    {
        var (moved, _) = await SeedAsync(app, notBefore: "now() - interval '1 hour'");
        var (cancelled, _) = await SeedAsync(app, notBefore: "now() + interval '1 hour'");
        using var supervisor = await app.LoginAsync("supervisor");
        var at = DateTimeOffset.UtcNow.AddDays(2);

        var rescheduled = await supervisor.Http.PostAsJsonAsync($"/api/callbacks/{moved}/reschedule", new { at, reason = "客户要求后天再打" });
        var cancel = await supervisor.Http.PostAsJsonAsync($"/api/callbacks/{cancelled}/cancel", new { reason = "客户已到店取件" });
        var again = await supervisor.Http.PostAsJsonAsync($"/api/callbacks/{cancelled}/cancel", new { reason = "重复取消" });
        var history = await supervisor.Http.GetFromJsonAsync<JsonElement>($"/api/callbacks/{moved}/attempts");

        rescheduled.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        cancel.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        history.EnumerateArray().Select(a => a.GetProperty("state").GetString()).ShouldBe(["done", "cancelled", "scheduled"]);
        (await app.CountAsync("SELECT count(*) FROM callback_attempts WHERE callback_id = $1 AND state = 'scheduled' AND abs(extract(epoch FROM not_before - $2)) < 1",
            moved, at.UtcDateTime)).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM callbacks WHERE id = $1 AND state = 'cancelled'", cancelled)).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM callback_attempts WHERE callback_id = $1 AND state = 'scheduled'", cancelled)).ShouldBe(0);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'supervisor' AND action = 'callback.reschedule' AND target_id = $1", Text(moved))).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'supervisor' AND action = 'callback.cancel' AND target_id = $1", Text(cancelled))).ShouldBe(1);
    }

    [PostgresFact]
    public async Task AnUnknownAttemptIsResolvedByAPersonOnce()
    {
        var (callback, unknown) = await SeedAsync(app, notBefore: "now() - interval '10 minutes'", lastState: "unknown");
        using var supervisor = await app.LoginAsync("supervisor");

        var listed = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/callbacks/unknown");
        var resolved = await supervisor.Http.PostAsJsonAsync($"/api/callbacks/attempts/{unknown}/resolve", new { outcome = "busy", reason = "话单显示占线" });
        var twice = await supervisor.Http.PostAsJsonAsync($"/api/callbacks/attempts/{unknown}/resolve", new { outcome = "busy", reason = "话单显示占线" });
        var missing = await supervisor.Http.PostAsJsonAsync("/api/callbacks/attempts/999999999/resolve", new { outcome = "busy", reason = "不存在" });

        Ids(listed).ShouldContain(callback);
        resolved.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        twice.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.CountAsync("SELECT count(*) FROM callback_attempts WHERE id = $1 AND state <> 'unknown' AND resolved_by = 'supervisor'", unknown)).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'callback.resolve' AND target_id = $1", Text(unknown))).ShouldBe(1);
    }

    [PostgresFact]
    public async Task AnAgentIsRefusedAndBadInputGetsA400()
    {
        var (callback, _) = await SeedAsync(app, notBefore: "now() + interval '1 hour'");
        using var agent = await app.LoginAsync("agent1");
        using var supervisor = await app.LoginAsync("supervisor");

        var agentCancel = await agent.Http.PostAsJsonAsync($"/api/callbacks/{callback}/cancel", new { reason = "不该允许" });
        var agentList = await agent.Http.GetAsync("/api/callbacks/due");
        var past = await supervisor.Http.PostAsJsonAsync($"/api/callbacks/{callback}/reschedule", new { at = DateTimeOffset.UtcNow.AddHours(-1), reason = "过去的时间" });
        var far = await supervisor.Http.PostAsJsonAsync($"/api/callbacks/{callback}/reschedule", new { at = DateTimeOffset.UtcNow.AddYears(2), reason = "太远" });
        var noReason = await supervisor.Http.PostAsJsonAsync($"/api/callbacks/{callback}/cancel", new { reason = "" });
        var badOutcome = await supervisor.Http.PostAsJsonAsync("/api/callbacks/attempts/1/resolve", new { outcome = "maybe", reason = "不知道" });
        var badJson = await supervisor.Http.PostAsync($"/api/callbacks/{callback}/cancel", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        var unknownId = await supervisor.Http.PostAsJsonAsync("/api/callbacks/999999999/cancel", new { reason = "不存在的回访" });

        var agentPage = await agent.Http.GetAsync("/callbacks");
        var page = await supervisor.Http.GetAsync("/callbacks");

        agentCancel.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        agentPage.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync()).ShouldContain("/js/callbacks.js");
        agentList.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        past.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        far.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        noReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        badOutcome.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        badJson.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        unknownId.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await app.CountAsync("SELECT count(*) FROM callbacks WHERE id = $1 AND state = 'open'", callback)).ShouldBe(1);
    }

    [PostgresFact]
    public async Task AnAgentListsOnlyTheirOwnOpenCallbacksMasked()
    {
        var (own, _) = await SeedAsync(app, notBefore: "now() + interval '1 hour'");
        var (other, _) = await SeedAsync(app, notBefore: "now() + interval '1 hour'");
        await app.CountAsync("UPDATE callbacks SET owner_agent_id = $1 WHERE id = $2 RETURNING id", await app.AgentIdAsync("agent2"), own);
        await app.CountAsync("UPDATE callbacks SET owner_agent_id = $1 WHERE id = $2 RETURNING id", await app.AgentIdAsync("agent3"), other);
        using var agent = await app.LoginAsync("agent2");

        var mine = await agent.Http.GetFromJsonAsync<JsonElement>("/api/callbacks/mine");

        Ids(mine).ShouldContain(own);
        Ids(mine).ShouldNotContain(other);
        var row = mine.EnumerateArray().Single(r => r.GetProperty("callbackId").GetInt64() == own);
        row.GetProperty("destination").GetString().ShouldBe("*******8000");
        row.GetProperty("attemptNo").GetInt32().ShouldBe(2);
    }

    private static long[] Ids(JsonElement list) => list.EnumerateArray().Select(r => r.GetProperty("callbackId").GetInt64()).ToArray();

    private static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>An open promise callback: attempt 1 done (no answer), attempt 2 in <paramref name="lastState"/> at <paramref name="notBefore"/>.</summary>
    internal static async Task<(long CallbackId, long AttemptId)> SeedAsync(WebAppFixture app, string notBefore, string lastState = "scheduled")
    {
        var callbackId = await app.CountAsync("""
            INSERT INTO callbacks (kind, source_type, source_id, destination, due_at, state, created_by)
            VALUES ('promise', 'manual', $1, '13800138000', now(), 'open', 'test') RETURNING id
            """, "cbui-" + Guid.NewGuid().ToString("N"));
        await app.CountAsync("""
            INSERT INTO callback_attempts (callback_id, attempt_no, state, not_before, outcome, outcome_at)
            VALUES ($1, 1, 'done', now() - interval '3 hours', 'no_answer', now() - interval '3 hours') RETURNING id
            """, callbackId);
        var claimed = lastState == "scheduled" ? "NULL" : "now()";
        var attemptId = await app.CountAsync($"""
            INSERT INTO callback_attempts (callback_id, attempt_no, state, not_before, claimed_by, claimed_at)
            VALUES ($1, 2, '{lastState}', {notBefore}, {(lastState == "scheduled" ? "NULL" : "'test-node'")}, {claimed}) RETURNING id
            """, callbackId);
        return (callbackId, attemptId);
    }
}
