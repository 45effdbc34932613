using CallCenter.Callbacks.Execution;
using CallCenter.Callbacks.Tests.Fakes;
using CallCenter.TestSupport;
using Dapper;
using static CallCenter.Callbacks.Tests.Policies.WorkingCalendarTests;

namespace CallCenter.Callbacks.Tests.Requests;

[Collection(PostgresTests.Name)]
public sealed class CallbackRequestsTests
{
    private static readonly DateTimeOffset Wednesday = Cst(2026, 3, 4, 11);

    [PostgresFact]
    public async Task EverySourceCreatesOneCallbackAndARepeatedEventCreatesNone()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var time = new FakeTimeProvider(Wednesday);
        await using var bed = CallbackTestBed.Create(db.DataSource, new FakeCallbackDialer(), time);
        var customer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13812340000");
        var order = await CallbackTestBed.AddRepairOrderAsync(db.DataSource, customer, "ready_for_pickup", Wednesday);
        var agent = await CallbackTestBed.AddAgentAsync(db.DataSource, "wang");
        long complaint;
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            complaint = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO complaints (complaint_no, customer_id, summary, created_at, first_response_due_at, resolution_due_at)
                VALUES ('C9', @customer, '态度差', @now, @now, @now) RETURNING id
                """, new { customer, now = Wednesday.ToUniversalTime() });
        }

        var calls = new Func<Task<Callbacks.Requests.CallbackCreation>>[]
        {
            () => bed.Requests.RepairReadyForPickupAsync(order, CancellationToken.None),
            () => bed.Requests.ComplaintOpenedAsync(complaint, CancellationToken.None),
            () => bed.Requests.QueueCallbackAsync("6f1c0a4e-queue", "13812340000", customer, CancellationToken.None),
            () => bed.Requests.AbandonedCallAsync("6f1c0a4e-abandon", "13812340000", customer, CancellationToken.None),
            () => bed.Requests.AgentPromiseAsync("segment-42", Wednesday.AddMinutes(10), agent, "13812340000", customer, "10分钟后我再给您打个电话", null, CancellationToken.None),
            () => bed.Requests.ManualAsync("form-7", "13812340000", customer, Wednesday.AddHours(2), "supervisor:1", null, CancellationToken.None),
        };
        foreach (var call in calls)
        {
            var made = await call();
            made.Created.ShouldBeTrue(made.Error);
            (await call()).Created.ShouldBeFalse();
        }

        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            (await conn.QueryAsync<string>("SELECT kind FROM callbacks ORDER BY id")).ShouldBe(
                ["pickup_reminder", "complaint_first_response", "queue_callback", "abandoned", "promise", "manual"]);
            (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM callback_attempts")).ShouldBe(6);
            await conn.ExecuteAsync("UPDATE repair_orders SET status = 'picked_up', picked_up_at = @now WHERE id = @order",
                new { order, now = Wednesday.AddHours(3).ToUniversalTime() });
            await conn.ExecuteAsync("UPDATE complaints SET status = 'closed', closed_at = @now WHERE id = @complaint",
                new { complaint, now = Cst(2026, 3, 6, 16).ToUniversalTime() });
        }

        // Pick-up ends the reminders; the 回访 is due the next working day at the same time (§13 #12).
        var followup = await bed.Requests.RepairPickedUpAsync(order, CancellationToken.None);
        followup.Created.ShouldBeTrue();
        (await bed.Requests.RepairPickedUpAsync(order, CancellationToken.None)).Created.ShouldBeFalse();
        // Complaint closed on Friday: the 回访 is 2 working days later, Tuesday.
        var complaintFollowup = await bed.Requests.ComplaintClosedAsync(complaint, CancellationToken.None);

        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            var rows = (await conn.QueryAsync<(string Kind, string State, DateTime Due)>("SELECT kind, state, due_at FROM callbacks ORDER BY id")).ToList();
            rows.Single(r => r.Kind == "pickup_reminder").State.ShouldBe("completed");
            rows.Single(r => r.Kind == "complaint_first_response").State.ShouldBe("completed");
            new DateTimeOffset(rows.Single(r => r.Kind == "repair_followup").Due, TimeSpan.Zero).ShouldBe(Cst(2026, 3, 5, 14));
            new DateTimeOffset(rows.Single(r => r.Kind == "complaint_followup").Due, TimeSpan.Zero).ShouldBe(Cst(2026, 3, 10, 16));
            complaintFollowup.Created.ShouldBeTrue();
        }

        var summary = await bed.Queries.SummaryAsync(CancellationToken.None);
        summary.Sum(r => r.Count).ShouldBe(8);
        summary.Single(r => r.Kind == "pickup_reminder").State.ShouldBe("completed");
    }

    [PostgresFact]
    public async Task ARepairFollowupSurveyScoreIsRecordedAndClosesTheRequest()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var time = new FakeTimeProvider(Wednesday);
        var dialer = new FakeCallbackDialer(_ => new DialResult(DialOutcome.Answered, "4"));
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, time);
        var customer = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13812340001");
        var order = await CallbackTestBed.AddRepairOrderAsync(db.DataSource, customer, "picked_up", null);
        var id = (await bed.Requests.RepairPickedUpAsync(order, CancellationToken.None)).CallbackId!.Value;

        (await bed.SweepAllAsync()).ShouldBe(0);                              // due tomorrow
        time.Advance(TimeSpan.FromDays(1));
        (await bed.SweepAllAsync()).ShouldBe(1);
        var attempt = (await bed.Queries.HistoryAsync(id, CancellationToken.None)).Single();
        (attempt.Outcome, attempt.SurveyScore, attempt.Dtmf).ShouldBe(("survey_completed", (int?)4, "4"));
    }

    [PostgresFact]
    public async Task BadInputIsRefusedWithAReasonInsteadOfThrowing()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        await using var bed = CallbackTestBed.Create(db.DataSource, new FakeCallbackDialer(), new FakeTimeProvider(Wednesday));

        (await bed.Requests.ManualAsync("x1", "138'; DROP TABLE callbacks;--", null, Wednesday, "agent:1", null, CancellationToken.None)).Error.ShouldNotBeNull();
        (await bed.Requests.ManualAsync("x2", "13812340002", 999_999, Wednesday, "agent:1", null, CancellationToken.None)).Error.ShouldNotBeNull();
        (await bed.Requests.RepairReadyForPickupAsync(123_456, CancellationToken.None)).Error.ShouldBe("repair order not found");
        var unverified = await CallbackTestBed.AddCustomerAsync(db.DataSource, "13812340003");
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("UPDATE customer_phones SET verified = false");
        }

        var order = await CallbackTestBed.AddRepairOrderAsync(db.DataSource, unverified, "ready_for_pickup", Wednesday);
        (await bed.Requests.RepairReadyForPickupAsync(order, CancellationToken.None)).Error.ShouldBe("customer has no verified phone number");
    }

    [PostgresFact]
    public async Task AnOpenPromiseAlertsTheSupervisorFiveMinutesBeforeItIsDue()
    {
        await using var db = await CallbackTestBed.MigratedDatabaseAsync();
        var time = new FakeTimeProvider(Wednesday);
        await using var bed = CallbackTestBed.Create(db.DataSource, new FakeCallbackDialer(), time);
        var agent = await CallbackTestBed.AddAgentAsync(db.DataSource, "li");
        (await bed.Requests.AgentPromiseAsync("segment-1", Wednesday.AddMinutes(30), agent, "13812340004", null, null, null, CancellationToken.None)).Created.ShouldBeTrue();

        (await bed.Reconciler.RunAsync(CancellationToken.None)).ShouldBe(new(0, 0, 0, 0, 0, 0));
        time.Advance(TimeSpan.FromMinutes(25));
        (await bed.Reconciler.RunAsync(CancellationToken.None)).PromiseAlerts.ShouldBe(1);
        (await bed.Reconciler.RunAsync(CancellationToken.None)).PromiseAlerts.ShouldBe(0);
    }
}
