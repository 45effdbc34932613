using CallCenter.Telephony.Tests.Calls;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Routing;

/// <summary>
/// Each blocking rule kind, end to end with sipp: rules live in blocking_rules scoped to the test line, the
/// decision is visible in blocking_decisions, and rate-type rules let callers with open tickets through.
/// </summary>
[Collection(SoftswitchGroup.Name)]
public sealed class NuisanceRulesTests(SoftswitchFixture fx) : IAsyncLifetime
{
    public Task InitializeAsync() => fx.ExecuteAsync("DELETE FROM blocking_rules");

    public Task DisposeAsync() => fx.ExecuteAsync("UPDATE blocking_rules SET enabled = false");

    private async Task<int> AddRuleAsync(string kind, string? number = null, string action = "reject", int code = 603,
        int? maxCalls = null, int? windowMinutes = null, int? shortSeconds = null, string expires = "now() + interval '1 day'")
    {
        return await fx.QuerySingleAsync<int>(
            $"""
            INSERT INTO blocking_rules (kind, number, action, reject_code, max_calls, window_minutes, short_call_seconds,
                                        service_line_id, reason, created_by, expires_at)
            VALUES (@kind, @number, @action, @code, @maxCalls, @windowMinutes, @shortSeconds, @line, 'test', 'test', {expires})
            RETURNING id
            """, new { kind, number, action, code, maxCalls, windowMinutes, shortSeconds, line = fx.RulesLineId });
    }

    private async Task<CallRow> CallAsync(string caller, int? expectStatus)
    {
        var callId = Guid.NewGuid().ToString("N") + "@rules";
        var xml = expectStatus is { } s
            ? Sipp.Scenario("expect-final.xml").Replace("@STATUS@", s.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            : Sipp.Scenario("short-call.xml");
        var (exit, output) = await Sipp.RunAsync(fx.SipPort, xml, caller, SoftswitchFixture.RulesNumber, callId);
        exit.ShouldBe(0, output);
        return await fx.WaitForEndedCallAsync(callId);
    }

    private Task<(string Action, bool Exempted)> DecisionAsync(Guid callId, int ruleId) =>
        fx.QuerySingleAsync<(string, bool)>("SELECT action, exempted FROM blocking_decisions WHERE call_id = @callId AND rule_id = @ruleId",
            new { callId, ruleId });

    [PostgresFact]
    public async Task AnExactNumberRuleRejectsWithItsConfiguredCodeAndStoresTheDecision()
    {
        var rule = await AddRuleAsync("exact", "17700000001", code: 603);

        var call = await CallAsync("17700000001", 603);

        call.Disposition.ShouldBe("blocked");
        call.Answered.ShouldBeFalse();
        (await DecisionAsync(call.Id, rule)).ShouldBe(("reject", false));
        (await CallAsync("17700000002", null)).Answered.ShouldBeTrue("a different number is not blocked");
    }

    [PostgresFact]
    public async Task APrefixRuleRejectsEveryNumberStartingWithIt()
    {
        var rule = await AddRuleAsync("prefix", "1771", code: 486);

        var call = await CallAsync("17710000009", 486);

        (await DecisionAsync(call.Id, rule)).Action.ShouldBe("reject");
    }

    [PostgresFact]
    public async Task AnAnonymousCallerIsRejectedByTheAnonymousRule()
    {
        var rule = await AddRuleAsync("anonymous", code: 403);

        var call = await CallAsync("anonymous", 403);

        call.CallerNumber.ShouldBeNull();
        (await DecisionAsync(call.Id, rule)).Action.ShouldBe("reject");
    }

    [PostgresFact]
    public async Task AFlaggedNumberIsBlockedUntilTheFlagExpires()
    {
        var active = await AddRuleAsync("flagged", "17720000001");
        await AddRuleAsync("flagged", "17720000002", expires: "now() - interval '1 minute'");

        var blocked = await CallAsync("17720000001", 603);
        var expired = await CallAsync("17720000002", null);

        (await DecisionAsync(blocked.Id, active)).Action.ShouldBe("reject");
        expired.Answered.ShouldBeTrue();
    }

    [PostgresFact]
    public async Task AnAnnounceRuleAnswersPlaysTheNuisancePromptAndHangsUp()
    {
        var rule = await AddRuleAsync("exact", "17730000001", action: "announce");
        var callId = Guid.NewGuid().ToString("N") + "@rules";

        var (exit, output) = await Sipp.RunAsync(fx.SipPort, Sipp.Scenario("server-bye.xml"), "17730000001", SoftswitchFixture.RulesNumber, callId);

        exit.ShouldBe(0, output);
        var call = await fx.WaitForEndedCallAsync(callId);
        call.Answered.ShouldBeTrue();
        call.Disposition.ShouldBe("blocked");
        call.EndedBy.ShouldBe("system");
        (await DecisionAsync(call.Id, rule)).Action.ShouldBe("announce");
    }

    [PostgresFact]
    public async Task ARateRuleBlocksTheCallThatExceedsNCallsInMMinutes()
    {
        var rule = await AddRuleAsync("rate", maxCalls: 2, windowMinutes: 60);

        (await CallAsync("17740000001", null)).Answered.ShouldBeTrue();
        (await CallAsync("17740000001", null)).Answered.ShouldBeTrue();
        var third = await CallAsync("17740000001", 603);

        (await DecisionAsync(third.Id, rule)).ShouldBe(("reject", false));
    }

    [PostgresFact]
    public async Task ARateRuleNeverBlocksACallerWithAnOpenRepairOrder()
    {
        var rule = await AddRuleAsync("rate", maxCalls: 1, windowMinutes: 60);

        await CallAsync(SoftswitchFixture.TicketHolder, null);
        var second = await CallAsync(SoftswitchFixture.TicketHolder, null);

        second.Answered.ShouldBeTrue();
        (await DecisionAsync(second.Id, rule)).ShouldBe(("allow", true));
    }

    [PostgresFact]
    public async Task RepeatedShortCallsAreBlockedButNotForACallerWithAnOpenComplaint()
    {
        var rule = await AddRuleAsync("short_calls", maxCalls: 2, windowMinutes: 60, shortSeconds: 30);

        await CallAsync("17750000001", null);
        await CallAsync("17750000001", null);
        var blocked = await CallAsync("17750000001", 603);
        await CallAsync(SoftswitchFixture.ComplaintHolder, null);
        await CallAsync(SoftswitchFixture.ComplaintHolder, null);
        var exempt = await CallAsync(SoftswitchFixture.ComplaintHolder, null);

        (await DecisionAsync(blocked.Id, rule)).ShouldBe(("reject", false));
        exempt.Answered.ShouldBeTrue();
        (await DecisionAsync(exempt.Id, rule)).ShouldBe(("allow", true));
    }

    [PostgresFact]
    public async Task AFlagOnlyRuleLetsTheCallThroughAndRecordsTheMatch()
    {
        var rule = await AddRuleAsync("exact", "17760000001", action: "flag");

        var call = await CallAsync("17760000001", null);

        call.Answered.ShouldBeTrue();
        (await DecisionAsync(call.Id, rule)).Action.ShouldBe("flag");
    }
}
