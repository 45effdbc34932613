using CallCenter.Callbacks.Requests;
using CallCenter.Telephony.Tests.Outbound;
using CallCenter.TestSupport;
using Dapper;

namespace CallCenter.Agent.Web.Tests.Callbacks;

/// <summary>
/// Issue 8's checks end to end: the real host's scheduler claims the attempt, SipCallbackDialer places it through
/// the trunk, and sipp (the customer) answers, presses keys or does not answer. INVITEs are counted at sipp.
/// </summary>
[Collection(OutboundCallbackGroup.Name)]
public sealed class OutboundCallbackTests(OutboundCallbackFixture fx)
{
    [PostgresFact]
    public async Task ARepairMarkedReadyIsRemindedByPhoneAndKeyOneConfirmsAndClosesTheRequest()
    {
        var xml = SippTrunk.Scenario("trunk-answer-dtmf.xml").Replace("@PCAP@", SippTrunk.Pcap("dtmf_2833_1.pcap"), StringComparison.Ordinal);
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, xml);
        var (_, repairId) = await fx.CustomerWithRepairAsync("13800138001");

        var callbackId = await fx.MarkReadyAsync(repairId);
        var attempt = await fx.WaitForFirstAttemptAsync(callbackId);

        var (exit, output) = await sipp.WaitAsync();
        exit.ShouldBe(0, output);
        (attempt.State, attempt.Outcome, attempt.Dtmf).ShouldBe(("done", "confirmed", "1"));
        (await fx.QuerySingleAsync<(string, string)>("SELECT state, close_reason FROM callbacks WHERE id = @callbackId", new { callbackId }))
            .ShouldBe(("completed", "confirmed"));
        sipp.InviteBranches().Count.ShouldBe(1);
        var invite = sipp.FirstInvite();
        invite.ShouldContain("X-CallCenter-Attempt: " + attempt.Id);
        invite.ShouldContain("Call-ID: " + attempt.SipCallId);
        invite.ShouldContain("INVITE sip:13800138001@");
        (await fx.QuerySingleAsync<(string, string, string)>(
            "SELECT direction, dialed_number, disposition FROM calls WHERE callback_attempt_id = @Id", new { attempt.Id }))
            .ShouldBe(("outbound", "13800138001", "completed"));
    }

    [PostgresFact]
    public async Task ACustomerWhoDoesNotAnswerIsScheduledAgainByThePolicy()
    {
        var xml = SippTrunk.Scenario("trunk-status.xml").Replace("@STATUS@", "480 Temporarily Unavailable", StringComparison.Ordinal);
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, xml);
        var (_, repairId) = await fx.CustomerWithRepairAsync("13800138002");

        var callbackId = await fx.MarkReadyAsync(repairId);
        var attempt = await fx.WaitForFirstAttemptAsync(callbackId);

        var (exit, output) = await sipp.WaitAsync();
        exit.ShouldBe(0, output);
        (attempt.State, attempt.Outcome).ShouldBe(("done", "no_answer"));
        attempt.Notes.ShouldNotBeNull().ShouldContain("480");
        sipp.InviteBranches().Count.ShouldBe(1);
        (await fx.QuerySingleAsync<string>("SELECT state FROM callbacks WHERE id = @callbackId", new { callbackId })).ShouldBe("in_progress");
        // Pick-up reminders: day 0 retries at least 2 h apart (domain.md §9.1).
        var (state, gapMinutes) = await fx.QuerySingleAsync<(string, double)>("""
            SELECT a2.state, extract(epoch FROM a2.not_before - a1.outcome_at) / 60
              FROM callback_attempts a2 JOIN callback_attempts a1 ON a1.callback_id = a2.callback_id AND a1.attempt_no = 1
             WHERE a2.callback_id = @callbackId AND a2.attempt_no = 2
            """, new { callbackId });
        state.ShouldBe("scheduled");
        gapMinutes.ShouldBeGreaterThanOrEqualTo(119.0);
    }

    [PostgresFact]
    public async Task ABlockedNumberAndAPremiumNumberAreNeverDialed()
    {
        var xml = SippTrunk.Scenario("trunk-status.xml").Replace("@STATUS@", "486 Busy Here", StringComparison.Ordinal);
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, xml);
        await using (var conn = await fx.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("INSERT INTO do_not_call (number, reason, created_by) VALUES ('13800138003', '客户要求', 'test')");
        }

        var blocked = await fx.Requests.CreateAsync(new NewCallback("pickup_reminder", "manual", "dnc-1", null, "13800138003", DateTimeOffset.UtcNow, "test"), CancellationToken.None);
        var premium = await fx.Requests.CreateAsync(new NewCallback("pickup_reminder", "manual", "premium-1", null, "16901234567", DateTimeOffset.UtcNow, "test"), CancellationToken.None);
        var blockedAttempt = await fx.WaitForFirstAttemptAsync(blocked.CallbackId!.Value);
        var premiumAttempt = await fx.WaitForFirstAttemptAsync(premium.CallbackId!.Value);

        await sipp.StopAsync();
        (blockedAttempt.State, blockedAttempt.Outcome).ShouldBe(("skipped", "do_not_call"));
        (premiumAttempt.State, premiumAttempt.Outcome).ShouldBe(("skipped", "blocked_destination"));
        sipp.InviteBranches().ShouldBeEmpty();
        (await fx.QuerySingleAsync<int>("SELECT count(*)::int FROM calls WHERE dialed_number IN ('13800138003', '16901234567')")).ShouldBe(0);
    }

    [PostgresFact]
    public async Task ASurveyKeyIsStoredAsTheScoreAndClosesTheFollowUp()
    {
        var xml = SippTrunk.Scenario("trunk-answer-dtmf.xml").Replace("@PCAP@", SippTrunk.Pcap("dtmf_2833_4.pcap"), StringComparison.Ordinal);
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, xml);

        var survey = await fx.Requests.CreateAsync(new NewCallback("repair_followup", "manual", "survey-1", null, "13800138004", DateTimeOffset.UtcNow, "test"), CancellationToken.None);
        var attempt = await fx.WaitForFirstAttemptAsync(survey.CallbackId!.Value);

        var (exit, output) = await sipp.WaitAsync();
        exit.ShouldBe(0, output);
        (attempt.State, attempt.Outcome, attempt.Dtmf).ShouldBe(("done", "survey_completed", "4"));
        (await fx.QuerySingleAsync<int>("SELECT survey_score FROM callback_attempts WHERE id = @Id", new { attempt.Id })).ShouldBe(4);
        (await fx.QuerySingleAsync<string>("SELECT state FROM callbacks WHERE id = @id", new { id = survey.CallbackId })).ShouldBe("completed");
        sipp.InviteBranches().Count.ShouldBe(1);
    }

    [PostgresFact]
    public async Task KeyTwoOnAPickupReminderAsksToBeCalledLater()
    {
        var xml = SippTrunk.Scenario("trunk-answer-dtmf.xml").Replace("@PCAP@", SippTrunk.Pcap("dtmf_2833_2.pcap"), StringComparison.Ordinal);
        await using var sipp = await SippTrunk.StartAsync(fx.TrunkPort, xml);
        var (_, repairId) = await fx.CustomerWithRepairAsync("13800138005");

        var callbackId = await fx.MarkReadyAsync(repairId);
        var attempt = await fx.WaitForFirstAttemptAsync(callbackId);

        var (exit, output) = await sipp.WaitAsync();
        exit.ShouldBe(0, output);
        (attempt.State, attempt.Outcome, attempt.Dtmf).ShouldBe(("done", "call_later", "2"));
        (await fx.QuerySingleAsync<string>("SELECT state FROM callbacks WHERE id = @callbackId", new { callbackId })).ShouldBe("in_progress");
        (await fx.QuerySingleAsync<string>("SELECT state FROM callback_attempts WHERE callback_id = @callbackId AND attempt_no = 2", new { callbackId }))
            .ShouldBe("scheduled");
    }
}
