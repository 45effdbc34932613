using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.Agent.Web.Qa;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Qa;

/// <summary>Plans and forms are configurable; its own database, since a new form changes what every later review uses.</summary>
public sealed class QaConfigTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    [PostgresFact]
    public async Task ASupervisorConfiguresAPlanAndANewFormVersionAndTheNextReviewUsesThem()
    {
        using var supervisor = await app.LoginAsync("supervisor");
        using var agent = await app.LoginAsync("agent1");
        var plan = new
        {
            name = "每日抽检", period = "day", samplesPerAgent = 2, newAgentWeeks = 2, newAgentMultiplier = 1.5m,
            minCallSeconds = 60, includeFlagged = true, stratifyByLine = false,
        };
        (await agent.Http.PostAsJsonAsync("/api/qa/plans", plan)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await supervisor.Http.PostAsJsonAsync("/api/qa/plans", plan with { })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var bad = await supervisor.Http.PostAsJsonAsync("/api/qa/plans", new { name = "坏", period = "year", samplesPerAgent = -1, newAgentMultiplier = 1m });
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var plans = (await supervisor.Http.GetFromJsonAsync<List<QaPlan>>("/api/qa/plans", Json))!;
        var daily = plans.Single(p => p.Name == "每日抽检");
        daily.Period.ShouldBe("day");
        daily.MinCallSeconds.ShouldBe(60);

        // A form whose weights do not make 100 is refused; a valid one becomes the active version.
        object Form(int lastWeight) => new
        {
            name = "简化质检表",
            items = new object[]
            {
                new { code = "greeting", titleZh = "问候", weight = 20, fatal = false, prefill = "required:greeting" },
                new { code = "no_taboo", titleZh = "无禁语", weight = 50, fatal = true, prefill = "taboo" },
                new { code = "resolution", titleZh = "解决问题", weight = lastWeight, fatal = false },
            },
        };
        (await supervisor.Http.PostAsJsonAsync("/api/qa/forms", Form(20))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await supervisor.Http.PostAsJsonAsync("/api/qa/forms", Form(30))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var active = (await supervisor.Http.GetFromJsonAsync<QaFormView>("/api/qa/forms/active", Json))!;
        active.Name.ShouldBe("简化质检表");
        active.Items.Select(i => i.Code).ShouldBe(["greeting", "no_taboo", "resolution"]);

        // The daily plan samples a day; the review shows the new form, pre-filled from screening.
        var day = new DateOnly(2026, 4, 7);
        var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(3, 0)), TimeSpan.Zero);
        var flagged = await QaTestData.InsertCallAsync(app, "agent2", at, 45, flagged: true, greetingPassed: true);
        for (var i = 0; i < 4; i++)
        {
            await QaTestData.InsertCallAsync(app, "agent2", at.AddMinutes(i + 1), 30 + i * 20, flagged: false); // 30 and 50 s are too short
        }

        using var qa = await app.LoginAsync("qa1");
        var run = await qa.Http.PostAsJsonAsync("/api/qa/runs", new { planId = daily.Id, periodStart = day, seed = 5 });
        run.StatusCode.ShouldBe(HttpStatusCode.OK);
        var picks = (await run.Content.ReadFromJsonAsync<QaRunResult>(Json))!.Picks;
        // Only the 68 s and 88 s calls are long enough (answered 2 s in); agent2, hired after this day, counts as new.
        picks.Where(p => p.Stratum != "flagged").Select(p => p.Stratum).ShouldBe(["new_agent:all", "new_agent:all"]);
        picks.ShouldContain(p => p.CallId == flagged);

        var review = (await qa.Http.GetFromJsonAsync<QaReview>($"/api/qa/samples/{await QaTestData.SampleIdAsync(app, flagged)}", Json))!;
        review.FormId.ShouldBe(active.Id);
        review.Items.Single(i => i.Code == "no_taboo").Prefilled.ShouldBe(0m);
        review.Items.Single(i => i.Code == "greeting").Prefilled.ShouldBe(20m);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action IN ('qa_plan_save', 'qa_form_create') AND actor = 'supervisor'")).ShouldBe(2);
    }
}
