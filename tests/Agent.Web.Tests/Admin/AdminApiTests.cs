using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Admin;

public sealed class AdminApiTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    private static readonly int[] RepairsOnly = [1];

    [PostgresFact]
    public async Task ABlockingRuleIsCreatedDisabledAndAuditedAndItsDecisionsAreListed()
    {
        using var supervisor = await app.LoginAsync("supervisor");

        var created = await supervisor.Http.PostAsJsonAsync("/api/admin/blocking-rules",
            new { kind = "prefix", number = "1700", action = "reject", reason = "虚拟号段骚扰", expiresInDays = 10 });
        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        var id = await created.Content.ReadFromJsonAsync<int>();
        await using (var cmd = app.Db.CreateCommand(
            "INSERT INTO blocking_decisions (caller_number, dialed_number, rule_id, action, node) VALUES ('17001234567', '8008101000', $1, 'reject', 'test')"))
        {
            cmd.Parameters.AddWithValue(id);
            await cmd.ExecuteNonQueryAsync();
        }

        var disabled = await supervisor.Http.PostAsJsonAsync($"/api/admin/blocking-rules/{id}/enabled", new { enabled = false });
        var rules = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/admin/blocking-rules");
        var decisions = await supervisor.Http.GetFromJsonAsync<JsonElement>($"/api/admin/blocking-rules/{id}/decisions");
        var noReason = await supervisor.Http.PostAsJsonAsync("/api/admin/blocking-rules",
            new { kind = "exact", number = "17000000001", action = "reject", reason = "", expiresInDays = 10 });

        disabled.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var rule = rules.EnumerateArray().Single(r => r.GetProperty("id").GetInt32() == id);
        rule.GetProperty("enabled").GetBoolean().ShouldBeFalse();
        rule.GetProperty("decisions").GetInt32().ShouldBe(1);
        decisions[0].GetProperty("callerNumber").GetString().ShouldBe("17001234567");
        noReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest); // a block needs a human reason (domain.md §10.2 #3)
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'supervisor' AND action IN ('blocking_rule_created','blocking_rule_disabled') AND target_id = $1",
            id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ShouldBe(2);
    }

    [PostgresFact]
    public async Task TheAdminEditsSkillsAndHolidaysAndSeesLinesAndAgents()
    {
        using var admin = await app.LoginAsync("admin");

        var skills = await admin.Http.PutAsJsonAsync($"/api/admin/agents/{await app.AgentIdAsync("agent3")}/skills", new { serviceLineIds = RepairsOnly });
        var day = await admin.Http.PostAsJsonAsync("/api/admin/calendar", new { day = "2026-12-31", kind = "holiday", name = "演示假日" });
        var agents = await admin.Http.GetFromJsonAsync<JsonElement>("/api/admin/agents");
        var lines = await admin.Http.GetFromJsonAsync<JsonElement>("/api/admin/lines");
        var hours = await admin.Http.GetFromJsonAsync<JsonElement>("/api/admin/hours");
        var policies = await admin.Http.GetFromJsonAsync<JsonElement>("/api/admin/callback-policies");

        skills.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        day.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        agents.EnumerateArray().Single(a => a.GetProperty("username").GetString() == "agent3")
            .GetProperty("skills").EnumerateArray().Select(s => s.GetString()).ShouldBe(["repairs"]);
        lines[0].GetProperty("numbers").EnumerateArray().Select(n => n.GetString()).ShouldContain("8008101000");
        hours.GetProperty("calendar").EnumerateArray().ShouldContain(d => d.GetProperty("name").GetString() == "演示假日");
        hours.GetProperty("hours").GetArrayLength().ShouldBe(7);
        policies.EnumerateArray().Select(p => p.GetProperty("code").GetString()).ShouldContain("manual");
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'admin' AND action IN ('skills_changed','config_changed')")).ShouldBe(2);
    }
}
