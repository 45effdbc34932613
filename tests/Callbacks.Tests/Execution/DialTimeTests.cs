using CallCenter.Callbacks.Policies;
using CallCenter.Callbacks.Execution;
using CallCenter.Callbacks.Tests.Fakes;
using CallCenter.TestSupport;
using Dapper;
using static CallCenter.Callbacks.Tests.Policies.WorkingCalendarTests;

namespace CallCenter.Callbacks.Tests.Execution;

[Collection(PostgresTests.Name)]
public sealed class DialTimeTests
{
    // A working Wednesday at 11:00 in Shanghai: inside business and calling hours.
    private static readonly DateTimeOffset Noon = Cst(2026, 3, 4, 11);

    [PostgresFact]
    public async Task ARepairReadyForPickupProducesOneReminderAndDtmfOneConfirmsAndClosesIt()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var dialer = new FakeCallbackDialer(_ => new DialResult(DialOutcome.Answered, "1"));
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, new FakeTimeProvider(Noon));
        var customer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13800001111");
        var order = await CallbackTestBed.AddRepairOrderAsync(db.DataSource, customer, "ready_for_pickup", Noon.AddMinutes(-5));

        var first = await bed.Requests.RepairReadyForPickupAsync(order, CancellationToken.None);
        var again = await bed.Requests.RepairReadyForPickupAsync(order, CancellationToken.None);
        first.Created.ShouldBeTrue();
        again.Created.ShouldBeFalse();
        again.CallbackId.ShouldBe(first.CallbackId);

        (await bed.SweepAllAsync()).ShouldBe(1);
        dialer.Requests.Count.ShouldBe(1);
        dialer.Requests[0].Destination.ShouldBe("13800001111");
        dialer.Requests[0].Mode.ShouldBe(CallCenter.Callbacks.Policies.DialMode.Automated);
        dialer.Requests[0].SipCallId.ShouldStartWith("cb-" + dialer.Requests[0].AttemptId + "-");

        var history = await bed.Queries.HistoryAsync(first.CallbackId!.Value, CancellationToken.None);
        history.Count.ShouldBe(1);
        history[0].Outcome.ShouldBe("confirmed");
        history[0].SipCallId.ShouldBe(dialer.Requests[0].SipCallId);     // stored by the claim, before the dial
        (await State(db, first.CallbackId.Value)).ShouldBe("completed");
        (await bed.SweepAllAsync()).ShouldBe(0);
    }

    [PostgresFact]
    public async Task NoAnswerSchedulesTheNextReminderAsANewAttemptTwoHoursLater()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var dialer = new FakeCallbackDialer(_ => new DialResult(DialOutcome.NoAnswer));
        var time = new FakeTimeProvider(Noon);
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, time);
        var customer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13800002222");
        var order = await CallbackTestBed.AddRepairOrderAsync(db.DataSource, customer, "ready_for_pickup", Noon);
        var id = (await bed.Requests.RepairReadyForPickupAsync(order, CancellationToken.None)).CallbackId!.Value;

        (await bed.SweepAllAsync()).ShouldBe(1);
        var history = await bed.Queries.HistoryAsync(id, CancellationToken.None);
        history.Select(h => (h.AttemptNo, h.State, h.Outcome)).ShouldBe([(1, "done", "no_answer"), (2, "scheduled", null)]);
        new DateTimeOffset(history[1].NotBefore, TimeSpan.Zero).ShouldBe(Noon.AddHours(2));

        // Not due yet: a sweep (a re-fired trigger) dials nothing.
        (await bed.SweepAllAsync()).ShouldBe(0);
        time.Advance(TimeSpan.FromHours(2));
        (await bed.SweepAllAsync()).ShouldBe(1);
        dialer.Requests.Select(r => r.AttemptNo).ShouldBe([1, 2]);
    }

    [PostgresFact]
    public async Task BlockedPremiumAndInternationalNumbersAreNeverDialed()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var dialer = new FakeCallbackDialer();
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, new FakeTimeProvider(Noon));
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("INSERT INTO do_not_call (number, reason, created_by) VALUES ('13900000003', '客户要求', 'test')");
            await conn.ExecuteAsync("""
                INSERT INTO blocking_rules (kind, number, action, reason, created_by) VALUES ('exact', '13900000004', 'reject', '骚扰电话', 'test')
                """);
        }

        var stopCustomer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13900000005", stopCalling: true);
        var dncCustomer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13900000006", doNotCall: true);
        var cases = new (string Number, long? Customer, string Outcome)[]
        {
            ("16812345678", null, "blocked_destination"),     // premium information service
            ("+12025550123", null, "blocked_destination"),    // international
            ("10086", null, "blocked_destination"),           // short code
            ("13900000003", null, "do_not_call"),
            ("13900000004", null, "nuisance_blocked"),
            ("13900000005", stopCustomer, "stop_calling"),    // "不用再来电话了"
            ("13900000006", dncCustomer, "do_not_call"),
        };
        var ids = new List<long>();
        foreach (var (number, customer, _) in cases)
        {
            var created = await bed.Requests.ManualAsync("m-" + number, number, customer, Noon, "supervisor:test", null, CancellationToken.None);
            created.Created.ShouldBeTrue();
            ids.Add(created.CallbackId!.Value);
        }

        (await bed.SweepAllAsync()).ShouldBe(cases.Length);
        dialer.Requests.ShouldBeEmpty();
        for (var i = 0; i < cases.Length; i++)
        {
            var history = await bed.Queries.HistoryAsync(ids[i], CancellationToken.None);
            history.Count.ShouldBe(1, cases[i].Number);
            history[0].State.ShouldBe("skipped");
            history[0].Outcome.ShouldBe(cases[i].Outcome, cases[i].Number);
            (await State(db, ids[i])).ShouldBe("stopped");
        }
    }

    [PostgresFact]
    public async Task TheFourthCallToOneNumberInADayWaitsForTomorrow()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var dialer = new FakeCallbackDialer(_ => new DialResult(DialOutcome.Answered));
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, new FakeTimeProvider(Noon));
        var ids = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await bed.Requests.ManualAsync("cap-" + i, "13700000000", null, Noon, "agent:1", null, CancellationToken.None)).CallbackId!.Value);
        }

        (await bed.SweepAllAsync()).ShouldBe(4);
        dialer.Requests.Count.ShouldBe(3);
        var capped = ids.Single(id => dialer.Requests.All(r => r.CallbackId != id));
        var history = await bed.Queries.HistoryAsync(capped, CancellationToken.None);
        history[0].Outcome.ShouldBe("cap_reached");
        history[1].State.ShouldBe("scheduled");
        new DateTimeOffset(history[1].NotBefore, TimeSpan.Zero).ShouldBe(Cst(2026, 3, 5, 9));
    }

    [PostgresFact]
    public async Task APickedUpRepairIsNotRemindedAndAClosedTicketEndsTheSeries()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var dialer = new FakeCallbackDialer();
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, new FakeTimeProvider(Noon));
        var customer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13600001111");
        var order = await CallbackTestBed.AddRepairOrderAsync(db.DataSource, customer, "ready_for_pickup", Noon);
        var id = (await bed.Requests.RepairReadyForPickupAsync(order, CancellationToken.None)).CallbackId!.Value;
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            // The desk closed the order without telling us: the dial-time check must notice.
            await conn.ExecuteAsync("UPDATE repair_orders SET status = 'closed' WHERE id = @order", new { order });
        }

        (await bed.SweepAllAsync()).ShouldBe(1);
        dialer.Requests.ShouldBeEmpty();
        (await bed.Queries.HistoryAsync(id, CancellationToken.None))[0].Outcome.ShouldBe("ticket_closed");
        (await State(db, id)).ShouldBe("completed");
    }

    [PostgresFact]
    public async Task ASupervisorCanRescheduleAndCancelAndBothAreAudited()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var time = new FakeTimeProvider(Noon);
        await using var bed = CallbackTestBed.Create(db.DataSource, new FakeCallbackDialer(), time);
        var id = (await bed.Requests.ManualAsync("r-1", "13500001111", null, Noon.AddHours(1), "agent:7", null, CancellationToken.None)).CallbackId!.Value;

        (await bed.Queries.DueAsync(TimeSpan.FromHours(2), 10, CancellationToken.None)).Single().Destination.ShouldBe("*******1111");
        (await bed.Queries.RescheduleAsync(id, Noon.AddHours(3), "supervisor:1", "客户要求下午再打", CancellationToken.None)).ShouldBeTrue();
        var history = await bed.Queries.HistoryAsync(id, CancellationToken.None);
        history.Select(h => h.State).ShouldBe(["cancelled", "scheduled"]);
        (await bed.Queries.DueAsync(TimeSpan.FromHours(2), 10, CancellationToken.None)).ShouldBeEmpty();

        time.Advance(TimeSpan.FromHours(4));
        (await bed.Queries.OverdueAsync(TimeSpan.FromMinutes(30), 10, CancellationToken.None)).Single().CallbackId.ShouldBe(id);
        (await bed.Queries.CancelAsync(id, "supervisor:1", "客户已到店", CancellationToken.None)).ShouldBeTrue();
        (await bed.Queries.CancelAsync(id, "supervisor:1", "again", CancellationToken.None)).ShouldBeFalse();
        (await bed.SweepAllAsync()).ShouldBe(0);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM audit_log WHERE target_type = 'callback' AND target_id = @t", new { t = id.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ShouldBe(2);
    }

    [PostgresFact]
    public async Task AnOpenedComplaintGetsSlaTimersAndSupervisorsAreWarnedAndAlertedOnce()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var created = Cst(2026, 4, 3, 17);
        var time = new FakeTimeProvider(created);
        await using var bed = CallbackTestBed.Create(db.DataSource, new FakeCallbackDialer(), time);
        var customer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13400001111");
        long complaint;
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            complaint = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO complaints (complaint_no, customer_id, summary, created_at, first_response_due_at, resolution_due_at)
                VALUES ('C1', @customer, '维修超期', @created, @created, @created) RETURNING id
                """, new { customer, created = created.ToUniversalTime() });
        }

        (await bed.Requests.ComplaintOpenedAsync(complaint, CancellationToken.None)).Created.ShouldBeTrue();
        (await bed.Requests.ComplaintOpenedAsync(complaint, CancellationToken.None)).Created.ShouldBeFalse();
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            var timers = (await conn.QueryAsync<(string Kind, DateTime Due)>("SELECT kind, due_at FROM sla_timers ORDER BY kind")).ToList();
            timers.Select(t => (t.Kind, new DateTimeOffset(t.Due, TimeSpan.Zero))).ShouldBe(
                [("first_response", Cst(2026, 4, 4, 17)), ("resolution", Cst(2026, 4, 9, 17))]);
        }

        time.Set(Cst(2026, 4, 4, 15, 1));                                        // 2 h before the first-reply deadline
        (await bed.Reconciler.RunAsync(CancellationToken.None)).SlaWarnings.ShouldBe(1);
        (await bed.Reconciler.RunAsync(CancellationToken.None)).SlaWarnings.ShouldBe(0);
        time.Set(Cst(2026, 4, 4, 17, 1));
        (await bed.Reconciler.RunAsync(CancellationToken.None)).SlaBreaches.ShouldBe(1);

        await bed.Requests.ComplaintClosedAsync(complaint, CancellationToken.None);
        time.Set(Cst(2026, 4, 9, 18));
        var report = await bed.Reconciler.RunAsync(CancellationToken.None);
        (report.SlaWarnings, report.SlaBreaches).ShouldBe((0, 0));              // met timers never alert
        var alerts = await bed.Queries.OpenAlertsAsync(10, CancellationToken.None);
        alerts.Select(a => a.Kind).ShouldBe(["sla_warning", "sla_breach"]);
    }

    [PostgresFact]
    public async Task APreferredWindowInsideQuietHoursEndsTheSeriesWithASupervisorTask()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var dialer = new FakeCallbackDialer();
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, new FakeTimeProvider(Noon));
        var customer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13300001111");
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("UPDATE customers SET preferred_call_start = '22:00', preferred_call_end = '23:00' WHERE id = @customer", new { customer });
        }

        var id = (await bed.Requests.ManualAsync("late-1", "13300001111", customer, Noon, "agent:1", null, CancellationToken.None)).CallbackId!.Value;
        (await bed.SweepAllAsync()).ShouldBe(1);
        dialer.Requests.ShouldBeEmpty();
        (await bed.Queries.HistoryAsync(id, CancellationToken.None)).Single().Outcome.ShouldBe("skipped_hours");
        (await State(db, id)).ShouldBe("exhausted");
        (await bed.Queries.OpenAlertsAsync(10, CancellationToken.None)).Single().Kind.ShouldBe("callback_exhausted");
    }

    [PostgresFact]
    public async Task TheWatchdogNoticesAttemptsLongPastDueWhileNothingDials()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var time = new FakeTimeProvider(Noon);
        await using var bed = CallbackTestBed.Create(db.DataSource, new FakeCallbackDialer(), time);
        await bed.Requests.ManualAsync("stall-1", "13300002222", null, Noon, "agent:1", null, CancellationToken.None);

        (await bed.Reconciler.RunAsync(CancellationToken.None)).Stalled.ShouldBe(0);
        time.Advance(TimeSpan.FromMinutes(11));                                 // no sweep ran: Quartz is stuck
        (await bed.Reconciler.RunAsync(CancellationToken.None)).Stalled.ShouldBe(1);
        (await bed.SweepAllAsync()).ShouldBe(1);
        (await bed.Reconciler.RunAsync(CancellationToken.None)).Stalled.ShouldBe(0);
    }

    [PostgresFact]
    public async Task WithNoDialerThatCanPlaceTheCallsTheWatchdogDoesNotCryStall()
    {
        // A node without a trunk (or with no dialer) leaves attempts scheduled by design: not a stalled scheduler.
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var time = new FakeTimeProvider(Noon);
        await using var bed = CallbackTestBed.Create(db.DataSource, null, time);
        await bed.Requests.ManualAsync("idle-1", "13300003333", null, Noon, "agent:1", null, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(30));
        (await bed.Reconciler.RunAsync(CancellationToken.None)).Stalled.ShouldBe(0);

        await using var offline = CallbackTestBed.Create(db.DataSource, new NoTrunkDialer(), time, "node-b");
        (await offline.Reconciler.RunAsync(CancellationToken.None)).Stalled.ShouldBe(0);
    }

    private sealed class NoTrunkDialer : ICallbackDialer
    {
        public Task<DialResult> DialAsync(DialRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("never asked to dial");

        public bool Dials(DialMode mode) => false;
    }

    [PostgresFact]
    public async Task TheDialRateCapLetsOnlyTheConfiguredNumberOfDialsStartPerSecond()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var dialer = new FakeCallbackDialer(_ => new DialResult(DialOutcome.Answered));
        var time = new FakeTimeProvider(Noon);
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, time, settings: new Dictionary<string, string?> { ["Callbacks:MaxDialsPerSecond"] = "5" });
        for (var i = 0; i < 12; i++)
        {
            await bed.Requests.ManualAsync("rate-" + i, "1320000" + (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), null, Noon, "agent:1", null, CancellationToken.None);
        }

        (await bed.SweepAllAsync()).ShouldBe(5);                                 // the fake clock stands still: no refill
        time.Advance(TimeSpan.FromSeconds(1));
        (await bed.SweepAllAsync()).ShouldBe(5);
        time.Advance(TimeSpan.FromSeconds(10));                                  // the bucket holds at most one second's worth
        (await bed.SweepAllAsync()).ShouldBe(2);
        dialer.Requests.Select(r => r.AttemptId).Distinct().Count().ShouldBe(12);
    }

    [PostgresFact]
    public async Task ReachingTheCustomerOnTheFirstResponseCallbackMeetsTheTwentyFourHourTimer()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var time = new FakeTimeProvider(Noon);
        await using var bed = CallbackTestBed.Create(db.DataSource, new FakeCallbackDialer(_ => new DialResult(DialOutcome.Answered)), time);
        var customer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13300003333");
        long complaint;
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            complaint = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO complaints (complaint_no, customer_id, summary, created_at, first_response_due_at, resolution_due_at)
                VALUES ('C2', @customer, '配件缺货', @now, @now, @now) RETURNING id
                """, new { customer, now = Noon.ToUniversalTime() });
        }

        await bed.Requests.ComplaintOpenedAsync(complaint, CancellationToken.None);
        (await bed.SweepAllAsync()).ShouldBe(1);
        time.Advance(TimeSpan.FromHours(25));
        var report = await bed.Reconciler.RunAsync(CancellationToken.None);
        (report.SlaWarnings, report.SlaBreaches).ShouldBe((0, 0));
    }

    [PostgresFact]
    public async Task AComplaintCallbackIsDialedBeforeAnOlderManualOneWhenDialsAreScarce()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var dialer = new FakeCallbackDialer(_ => new DialResult(DialOutcome.Answered));
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, new FakeTimeProvider(Noon),
            settings: new Dictionary<string, string?> { ["Callbacks:MaxDialsPerSecond"] = "1" });
        await bed.Requests.ManualAsync("old", "13300004444", null, Noon.AddMinutes(-30), "agent:1", null, CancellationToken.None);   // priority 5
        var customer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13300005555");
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            var complaint = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO complaints (complaint_no, customer_id, summary, created_at, first_response_due_at, resolution_due_at)
                VALUES ('C3', @customer, '安全隐患', @now, @now, @now) RETURNING id
                """, new { customer, now = Noon.ToUniversalTime() });
            await bed.Requests.ComplaintOpenedAsync(complaint, CancellationToken.None);                                        // priority 1
        }

        (await bed.SweepAllAsync()).ShouldBe(1);
        dialer.Requests.Single().Kind.ShouldBe("complaint_first_response");
    }

    private static async Task<string> State(TestDatabase db, long callbackId)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<string>("SELECT state FROM callbacks WHERE id = @callbackId", new { callbackId }) ?? "";
    }
}
