using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CallCenter.Callbacks.Policies;
using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Routing;
using CallCenter.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.Agent.Web.Tests.Admin;

/// <summary>The admin edits against the real host and database; each test uses its own codes and numbers.</summary>
public sealed class AdminEditTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    private static readonly string[] AgentRole = ["agent"];
    private static readonly string[] UnknownRole = ["root"];
    private static readonly string[] AdminRole = ["admin"];
    private static readonly string[] NeverFlag = ["@never"];

    private static object Line(string? code, int ringTimeout, bool active = true) => new
    {
        code, nameZh = "售前咨询", nameEn = "Pre-sales", welcomePrompt = "welcome_presales.wav",
        ringTimeoutSeconds = ringTimeout, maxWaitSeconds = 240, answerWithinSeconds = 15, active,
    };

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static async Task<int> IdOf(HttpResponseMessage created) =>
        (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

    [PostgresFact]
    public async Task AnEditedLinesRingTimeoutIsWhatTheSoftswitchReadsOnTheNextCall()
    {
        using var admin = await app.LoginAsync("admin");
        var dnis = app.Factory.Services.GetRequiredService<DnisMap>();

        var created = await admin.Http.PostAsJsonAsync("/api/admin/lines", Line("presales", 25));
        var id = await IdOf(created);
        var number = await admin.Http.PostAsJsonAsync("/api/admin/numbers", new { number = "4008201000", serviceLineId = id, description = "售前" });
        var before = await dnis.LookupAsync("4008201000", CancellationToken.None);
        var edited = await admin.Http.PutAsJsonAsync($"/api/admin/lines/{id}", Line(null, 35));
        var after = await dnis.LookupAsync("4008201000", CancellationToken.None);
        var disabled = await admin.Http.PutAsJsonAsync($"/api/admin/lines/{id}", Line(null, 35, active: false));
        var whileDisabled = await dnis.LookupAsync("4008201000", CancellationToken.None);
        var lines = await admin.Http.GetFromJsonAsync<JsonElement>("/api/admin/lines");

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        number.StatusCode.ShouldBe(HttpStatusCode.Created);
        before.ShouldNotBeNull().RingTimeoutSeconds.ShouldBe(25);
        edited.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        after.ShouldNotBeNull().RingTimeoutSeconds.ShouldBe(35);
        after.MaxWaitSeconds.ShouldBe(240);
        after.WelcomePrompt.ShouldBe("welcome_presales.wav");
        disabled.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        whileDisabled.ShouldBeNull(); // a disabled line takes no calls
        var line = lines.EnumerateArray().Single(l => l.GetProperty("id").GetInt32() == id);
        line.GetProperty("ringTimeoutSeconds").GetInt32().ShouldBe(35);
        line.GetProperty("numbers")[0].GetString().ShouldBe("4008201000");
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'admin' AND action IN ('line_created','line_edited','number_added') AND target_id IN ($1, '4008201000')",
            id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ShouldBe(4);
    }

    [PostgresFact]
    public async Task AnAgentIsRefusedEveryAdminEditAndNothingChanges()
    {
        using var agent = await app.LoginAsync("agent1");

        var line = await agent.Http.PostAsJsonAsync("/api/admin/lines", Line("hacked", 25));
        var number = await agent.Http.DeleteAsync("/api/admin/numbers/8008101000");
        var account = await agent.Http.PostAsJsonAsync("/api/admin/agents",
            new { username = "mallory", displayName = "M", roles = AdminRole, password = "password-123" });
        var policy = await agent.Http.PutAsJsonAsync("/api/admin/callback-policies/promise",
            new { nameZh = "承诺回电", mode = "automated", priority = 1, maxAttempts = 9, settings = new { } });
        var rule = await agent.Http.PostAsJsonAsync("/api/admin/screening-rules",
            new { code = "X1", kind = "taboo", speaker = "agent", phrase = "随便", matchMode = "exact" });

        foreach (var response in new[] { line, number, account, policy, rule })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        (await app.CountAsync("SELECT count(*) FROM service_lines WHERE code = 'hacked'")).ShouldBe(0);
        (await app.CountAsync("SELECT count(*) FROM toll_free_numbers WHERE number = '8008101000'")).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM agents WHERE username = 'mallory'")).ShouldBe(0);
    }

    [PostgresFact]
    public async Task BadInputGetsA400WithTheFieldInError()
    {
        using var admin = await app.LoginAsync("admin");

        var malformed = await admin.Http.PostAsync("/api/admin/lines", Json("{\"code\": \"x\", "));
        var wrongType = await admin.Http.PostAsync("/api/admin/numbers", Json("{\"number\": \"4008\", \"serviceLineId\": \"one\"}"));
        var ringTimeout = await admin.Http.PostAsJsonAsync("/api/admin/lines", Line("slowline", 0));
        var traversal = await admin.Http.PutAsJsonAsync("/api/admin/lines/1", new
        {
            nameZh = "维修服务", nameEn = "Repairs", welcomePrompt = "../../etc/passwd", ringTimeoutSeconds = 20, maxWaitSeconds = 180,
        });
        var letters = await admin.Http.PostAsJsonAsync("/api/admin/numbers", new { number = "400-820-1000", serviceLineId = 1 });
        var duplicate = await admin.Http.PostAsJsonAsync("/api/admin/numbers", new { number = "8008102000", serviceLineId = 1 });
        var noLine = await admin.Http.PostAsJsonAsync("/api/admin/numbers", new { number = "4008209999", serviceLineId = 9999 });
        var hours = await admin.Http.PutAsJsonAsync("/api/admin/hours",
            new { serviceLineId = 1, days = new[] { new { weekday = 1, opens = "18:00:00", closes = "09:00:00" } } });
        var noDefaultDays = await admin.Http.PutAsJsonAsync("/api/admin/hours", new { serviceLineId = (int?)null, days = Array.Empty<object>() });
        var badDay = await admin.Http.DeleteAsync("/api/admin/calendar/yesterday");

        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        malformed.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        wrongType.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await ShouldNameField(ringTimeout, "ringTimeoutSeconds");
        await ShouldNameField(traversal, "welcomePrompt");
        await ShouldNameField(letters, "number");
        await ShouldNameField(duplicate, "number");
        await ShouldNameField(noLine, "serviceLineId");
        await ShouldNameField(hours, "days[0].closes");
        await ShouldNameField(noDefaultDays, "days");
        await ShouldNameField(badDay, "day");
        (await app.CountAsync("SELECT count(*) FROM toll_free_numbers WHERE number = '8008102000' AND service_line_id = 2")).ShouldBe(1);
    }

    [PostgresFact]
    public async Task NumbersAreReassignedAndRemovedAndHoursAndHolidaysEdited()
    {
        using var admin = await app.LoginAsync("admin");
        var dnis = app.Factory.Services.GetRequiredService<DnisMap>();

        var added = await admin.Http.PostAsJsonAsync("/api/admin/numbers", new { number = "4008300000", serviceLineId = 1 });
        var moved = await admin.Http.PutAsJsonAsync("/api/admin/numbers/4008300000", new { serviceLineId = 3, description = "改到咨询" });
        var afterMove = await dnis.LookupAsync("4008300000", CancellationToken.None);
        var removed = await admin.Http.DeleteAsync("/api/admin/numbers/4008300000");
        var afterRemove = await dnis.LookupAsync("4008300000", CancellationToken.None);
        var removedAgain = await admin.Http.DeleteAsync("/api/admin/numbers/4008300000");
        var hours = await admin.Http.PutAsJsonAsync("/api/admin/hours", new
        {
            serviceLineId = 2,
            days = new[] { new { weekday = 1, opens = "09:00:00", closes = "17:30:00" }, new { weekday = 2, opens = "09:00:00", closes = "17:30:00" } },
        });
        var weekdays = Enumerable.Range(1, 5).Select(d => new { weekday = d, opens = "09:00:00", closes = "18:00:00" }).ToArray();
        var defaultHours = await admin.Http.PutAsJsonAsync("/api/admin/hours", new { serviceLineId = (int?)null, days = weekdays });
        var makeUp = await admin.Http.PostAsJsonAsync("/api/admin/calendar", new { day = "2027-02-07", kind = "workday", name = "春节调休" });
        var holiday = await admin.Http.PostAsJsonAsync("/api/admin/calendar", new { day = "2027-02-08", kind = "holiday", name = "春节" });
        var (calendar, businessHours) = await app.Factory.Services.GetRequiredService<PolicyCatalog>().GetCalendarAsync(CancellationToken.None);
        var unHoliday = await admin.Http.DeleteAsync("/api/admin/calendar/2027-02-08");
        var (calendarAfter, _) = await app.Factory.Services.GetRequiredService<PolicyCatalog>().GetCalendarAsync(CancellationToken.None);

        added.StatusCode.ShouldBe(HttpStatusCode.Created);
        moved.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        afterMove.ShouldNotBeNull().Code.ShouldBe("enquiries");
        removed.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        afterRemove.ShouldBeNull();
        removedAgain.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        hours.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await app.CountAsync("SELECT count(*) FROM business_hours WHERE service_line_id = 2 AND closes = '17:30'")).ShouldBe(2);
        defaultHours.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        businessHours.TryGet(DayOfWeek.Monday, out var opens, out _).ShouldBeTrue(); // the scheduler's calling window reads the default hours
        opens.ShouldBe(new TimeOnly(9, 0));
        businessHours.TryGet(DayOfWeek.Saturday, out _, out _).ShouldBeFalse();
        makeUp.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        holiday.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        calendar.IsWorkingDay(new DateOnly(2027, 2, 7)).ShouldBeTrue(); // a Sunday made a working day
        calendar.IsWorkingDay(new DateOnly(2027, 2, 8)).ShouldBeFalse(); // the scheduler sees the edit without waiting for its cache
        unHoliday.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        calendarAfter.IsWorkingDay(new DateOnly(2027, 2, 8)).ShouldBeTrue();
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'number_reassigned' AND target_id = '4008300000'")).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'config_changed' AND target_type IN ('business_hours','calendar_day') AND actor = 'admin'"))
            .ShouldBeGreaterThanOrEqualTo(4);
    }

    [PostgresFact]
    public async Task ANewAgentCanLogInAndRegisterUntilDeactivatedAndNoSecretIsReturned()
    {
        using var admin = await app.LoginAsync("admin");

        var created = await admin.Http.PostAsJsonAsync("/api/admin/agents", new
        {
            username = "agent9", displayName = "王芳", employeeNo = "1009", roles = AgentRole, password = "first-login-9", sipPassword = "phone-secret-9",
        });
        var body = await created.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt32();
        var again = await admin.Http.PostAsJsonAsync("/api/admin/agents",
            new { username = "agent9", displayName = "重复", roles = AgentRole, password = "another-pass" });
        var badRole = await admin.Http.PostAsJsonAsync("/api/admin/agents",
            new { username = "agent10", displayName = "X", roles = UnknownRole, password = "another-pass" });
        var shortPassword = await admin.Http.PostAsJsonAsync("/api/admin/agents",
            new { username = "agent11", displayName = "X", roles = AgentRole, password = "short" });
        using var agent9 = await app.AnonymousAsync();
        var login = await agent9.Http.PostAsJsonAsync("/api/auth/login", new { username = "agent9", password = "first-login-9" });
        var meBefore = await agent9.Http.GetAsync("/api/auth/me");
        var registrations = app.Factory.Services.GetRequiredService<RegistrationStore>();
        var account = await registrations.FindAccountAsync("agent9", CancellationToken.None);
        var agents = await admin.Http.GetStringAsync("/api/admin/agents");

        var deactivated = await admin.Http.PostAsJsonAsync($"/api/admin/agents/{id}/active", new { active = false });
        var loginAfter = await (await app.AnonymousAsync()).Http.PostAsJsonAsync("/api/auth/login", new { username = "agent9", password = "first-login-9" });
        var accountAfter = await registrations.FindAccountAsync("agent9", CancellationToken.None);
        var meAfter = await agent9.Http.GetAsync("/api/auth/me");
        var self = await admin.Http.PostAsJsonAsync($"/api/admin/agents/{await app.AgentIdAsync("admin")}/active", new { active = false });

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        body.ShouldNotContain("secret");
        body.ShouldNotContain("first-login");
        await ShouldNameField(again, "username");
        await ShouldNameField(badRole, "roles");
        await ShouldNameField(shortPassword, "password");
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        account.ShouldNotBeNull().Ha1Md5.ShouldBe(DigestAuth.Ha1(DigestAlgorithm.Md5, "agent9", "callcenter", "phone-secret-9"));
        account.Ha1Sha256.ShouldBe(DigestAuth.Ha1(DigestAlgorithm.Sha256, "agent9", "callcenter", "phone-secret-9"));
        agents.ShouldNotContain("phone-secret-9");
        agents.ShouldNotContain(account.Ha1Md5!);
        deactivated.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        loginAfter.StatusCode.ShouldNotBe(HttpStatusCode.OK);
        accountAfter.ShouldBeNull(); // its phones can no longer REGISTER
        meBefore.StatusCode.ShouldBe(HttpStatusCode.OK);
        meAfter.StatusCode.ShouldBe(HttpStatusCode.Unauthorized); // the open web session ends too
        await ShouldNameField(self, "active");
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action IN ('agent_created','agent_deactivated') AND target_id = $1",
            id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ShouldBe(2);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE details::text LIKE '%phone-secret%' OR details::text LIKE '%first-login%'")).ShouldBe(0);
    }

    [PostgresFact]
    public async Task CallbackPolicySettingsAreCheckedAgainstWhatTheSchedulerReads()
    {
        using var admin = await app.LoginAsync("admin");
        var catalog = app.Factory.Services.GetRequiredService<PolicyCatalog>();

        var edited = await admin.Http.PutAsJsonAsync("/api/admin/callback-policies/pickup_reminder", new
        {
            nameZh = "取机提醒", mode = "automated", priority = 4, maxAttempts = 10,
            settings = new { day0Attempts = 2, day0SpacingMinutes = 90, maxWeeks = 4, smsAfterFirstFailedDay = false },
        });
        var policy = await catalog.GetPolicyAsync("pickup_reminder", CancellationToken.None);
        var unknownKey = await admin.Http.PutAsJsonAsync("/api/admin/callback-policies/pickup_reminder", new
        {
            nameZh = "取机提醒", mode = "automated", priority = 4, maxAttempts = 10, settings = new { day0Atempts = 2 },
        });
        var wrongType = await admin.Http.PutAsJsonAsync("/api/admin/callback-policies/pickup_reminder", new
        {
            nameZh = "取机提醒", mode = "automated", priority = 4, maxAttempts = 10, settings = new { smsAfterFirstFailedDay = "yes" },
        });
        var badMode = await admin.Http.PutAsJsonAsync("/api/admin/callback-policies/pickup_reminder", new
        {
            nameZh = "取机提醒", mode = "robot", priority = 4, maxAttempts = 10, settings = new { },
        });
        var missing = await admin.Http.PutAsJsonAsync("/api/admin/callback-policies/nope", new
        {
            nameZh = "无", mode = "automated", priority = 4, maxAttempts = 10, settings = new { },
        });
        var keys = await admin.Http.GetFromJsonAsync<JsonElement>("/api/admin/callback-policies/keys");

        edited.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        policy.MaxAttempts.ShouldBe(10);
        policy.Settings.Day0Attempts.ShouldBe(2);
        policy.Settings.Day0SpacingMinutes.ShouldBe(90);
        policy.Settings.MaxWeeks.ShouldBe(4);
        policy.Settings.SmsAfterFirstFailedDay.ShouldBeFalse();
        await ShouldNameField(unknownKey, "settings.day0Atempts");
        await ShouldNameField(wrongType, "settings.smsAfterFirstFailedDay");
        await ShouldNameField(badMode, "mode");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        keys.EnumerateArray().Select(k => k.GetProperty("name").GetString()).ShouldContain("supervisorAlertMinutesBefore");
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'config_changed' AND target_type = 'callback_policy' AND target_id = 'pickup_reminder'"))
            .ShouldBe(1);
    }

    [PostgresFact]
    public async Task AScreeningRuleIsCreatedTestedOnASentenceDisabledAndEdited()
    {
        using var admin = await app.LoginAsync("admin");
        const string sentence = "这个你去找厂家吧，跟我们没关系。";

        var created = await admin.Http.PostAsJsonAsync("/api/admin/screening-rules", new
        {
            code = "TX901", kind = "taboo", speaker = "agent", phrase = "你去找厂家", matchMode = "exact", severity = "M",
            replacement = "我帮您联系厂家", source = "admin test",
        });
        var id = await IdOf(created);
        var hit = await Check(admin, sentence);
        var disabled = await admin.Http.PostAsJsonAsync($"/api/admin/screening-rules/{id}/enabled", new { enabled = false });
        var noHit = await Check(admin, sentence);
        var edited = await admin.Http.PutAsJsonAsync($"/api/admin/screening-rules/{id}", new
        {
            kind = "taboo", speaker = "agent", phrase = "跟我们没关系", matchMode = "exact", severity = "H", enabled = true,
        });
        var afterEdit = await Check(admin, sentence);
        var badPattern = await admin.Http.PostAsJsonAsync("/api/admin/screening-rules", new
        {
            code = "TX902", kind = "taboo", speaker = "agent", phrase = "坏规则", pattern = "坏(规则", matchMode = "gap",
        });
        var badFlag = await admin.Http.PostAsJsonAsync("/api/admin/screening-rules", new
        {
            code = "TX903", kind = "taboo", speaker = "agent", phrase = "坏规则", matchMode = "exact", exceptions = NeverFlag,
        });
        var rules = await admin.Http.GetFromJsonAsync<JsonElement>("/api/admin/screening-rules");

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        hit.ShouldContain(h => h.Code == "TX901" && h.MatchedText == "你去找厂家");
        disabled.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        noHit.ShouldNotContain(h => h.Code == "TX901");
        edited.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        afterEdit.ShouldContain(h => h.Code == "TX901" && h.MatchedText == "跟我们没关系" && h.Severity == "H");
        await ShouldNameField(badPattern, "pattern");
        await ShouldNameField(badFlag, "pattern");
        var row = rules.EnumerateArray().Single(r => r.GetProperty("code").GetString() == "TX901");
        row.GetProperty("version").GetInt32().ShouldBe(3); // created 1, disabled 2, edited 3: the file sync keeps the admin's edit
        row.GetProperty("updatedBy").GetString().ShouldBe("admin");
    }

    private static async Task<List<Hit>> Check(UserClient client, string text)
    {
        var response = await client.Http.PostAsJsonAsync("/api/screening/check", new { text, speaker = "agent" });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("hits").EnumerateArray()
            .Select(h => new Hit(h.GetProperty("code").GetString()!, h.GetProperty("matchedText").GetString()!, h.GetProperty("severity").GetString()))
            .ToList();
    }

    private static async Task ShouldNameField(HttpResponseMessage response, string field)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"errors should name {field}: {problem}");
    }

    private sealed record Hit(string Code, string MatchedText, string? Severity);
}
