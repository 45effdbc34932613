using CallCenter.Callbacks.Execution;
using CallCenter.Callbacks.Tests.Fakes;
using CallCenter.TestSupport;
using Dapper;

namespace CallCenter.Callbacks.Tests.Execution;

/// <summary>
/// Exactly-once under faults (reliability.md §3, F-2, F-3): a node killed mid-dial, nodes racing for the same
/// attempts, and PostgreSQL going away under a running clustered Quartz node. Dials go to FAKE dialers.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class FaultTests
{
    // Fault tests run at whatever hour the machine has: the whole day is calling time, the centre always open.
    private static readonly Dictionary<string, string?> AllDay = new()
    {
        ["Callbacks:CallingHoursStart"] = "00:00:00",
        ["Callbacks:CallingHoursEnd"] = "23:59:59.9999999",
    };

    [PostgresFact]
    public async Task ANodeKilledMidDialLeavesTheAttemptUnknownAndItIsNeverRedialed()
    {
        await using var db = await OpenAllDayDatabaseAsync();
        var dialer = new FakeCallbackDialer();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, clock, "survivor", AllDay);
        var id = (await bed.Requests.ManualAsync("kill-1", "13800138000", null, clock.GetUtcNow().AddSeconds(-1), "agent:1", null, CancellationToken.None)).CallbackId!.Value;

        string dialing;
        using (var child = ChildNode.Start(db.ConnectionString, "doomed", "hang"))
        {
            dialing = await child.WaitForLineAsync(l => l.StartsWith("DIALING ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            child.KillHard();
            child.HasExited.ShouldBeTrue();
        }

        var attempt = (await bed.Queries.HistoryAsync(id, CancellationToken.None)).Single();
        attempt.State.ShouldBe("dialing");
        attempt.ClaimedBy.ShouldBe("doomed");
        dialing.ShouldBe($"DIALING {attempt.AttemptId} {attempt.SipCallId}");   // the Call-ID was stored before the dial

        // A restart, a re-fired trigger or another node: nothing to claim, nothing dialed.
        (await bed.SweepAllAsync()).ShouldBe(0);
        clock.Advance(TimeSpan.FromMinutes(30));
        (await bed.Reconciler.RunAsync(CancellationToken.None)).MarkedUnknown.ShouldBe(0);
        clock.Advance(TimeSpan.FromMinutes(31));                              // past the 60-minute maximum call
        var report = await bed.Reconciler.RunAsync(CancellationToken.None);
        (report.MarkedUnknown, report.Released).ShouldBe((1, 0));
        (await bed.SweepAllAsync()).ShouldBe(0);
        (await bed.Reconciler.RunAsync(CancellationToken.None)).MarkedUnknown.ShouldBe(0);
        dialer.Requests.ShouldBeEmpty();

        (await bed.Queries.UnknownAsync(10, CancellationToken.None)).Single().AttemptId.ShouldBe(attempt.AttemptId);
        (await bed.Queries.OpenAlertsAsync(10, CancellationToken.None)).Single().Kind.ShouldBe("attempt_unknown");

        // A person resolves it from the CDR: only then does the policy continue (here: answered, so done).
        (await bed.Queries.ResolveUnknownAsync(attempt.AttemptId, new DialResult(DialOutcome.Answered), "supervisor:1", CancellationToken.None)).ShouldBeTrue();
        var resolved = (await bed.Queries.HistoryAsync(id, CancellationToken.None)).Single();
        (resolved.State, resolved.Outcome, resolved.ResolvedBy).ShouldBe(("done", "answered", "supervisor:1"));
        dialer.Requests.ShouldBeEmpty();
    }

    [PostgresFact]
    public async Task AClaimADeadNodeNeverStartedDialingIsGivenBackAndDialedOnce()
    {
        await using var db = await OpenAllDayDatabaseAsync();
        var dialer = new FakeCallbackDialer(_ => new DialResult(DialOutcome.Answered));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bed = CallbackTestBed.Create(db.DataSource, dialer, clock, "survivor", AllDay);
        await bed.Requests.ManualAsync("dead-1", "13800138001", null, clock.GetUtcNow().AddSeconds(-1), "agent:1", null, CancellationToken.None);

        // A node claims and dies before its dial-time checks finish.
        (await AttemptClaims.ClaimDueAsync(db.DataSource, 10, "dead", clock.GetUtcNow(), CancellationToken.None)).Count.ShouldBe(1);
        (await bed.SweepAllAsync()).ShouldBe(0);
        clock.Advance(TimeSpan.FromMinutes(3));
        (await bed.Reconciler.RunAsync(CancellationToken.None)).Released.ShouldBe(1);
        (await bed.SweepAllAsync()).ShouldBe(1);
        (await bed.SweepAllAsync()).ShouldBe(0);
        dialer.Requests.Count.ShouldBe(1);
    }

    [PostgresFact]
    public async Task NodesRacingForManyDueAttemptsDialEachExactlyOnce()
    {
        await using var db = await OpenAllDayDatabaseAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var dialers = Enumerable.Range(0, 4).Select(_ => new FakeCallbackDialer(_ => new DialResult(DialOutcome.Answered))).ToArray();
        var beds = dialers.Select((d, i) => CallbackTestBed.Create(db.DataSource, d, clock, "node-" + i, AllDay)).ToArray();
        try
        {
            const int count = 400;
            await CreateDueAsync(beds[0], count, "race", clock.GetUtcNow());

            // Every node sweeps at once, again and again, like triggers firing on four machines.
            var totals = await Task.WhenAll(beds.Select(b => Task.Run(b.SweepAllAsync)));
            totals.Sum().ShouldBe(count);
            var dialed = dialers.SelectMany(d => d.Requests).ToList();
            dialed.Count.ShouldBe(count);
            dialed.Select(r => r.AttemptId).Distinct().Count().ShouldBe(count);
            dialed.Select(r => r.SipCallId).Distinct().Count().ShouldBe(count);
            await using var conn = await db.DataSource.OpenConnectionAsync();
            (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM callback_attempts WHERE state <> 'done'")).ShouldBe(0);
        }
        finally
        {
            foreach (var bed in beds)
            {
                await bed.DisposeAsync();
            }
        }
    }

    [PostgresFact]
    public async Task TwoClusteredQuartzNodesOnOneDatabaseDialEachAttemptOnce()
    {
        await using var db = await OpenAllDayDatabaseAsync();
        await using var bed = CallbackTestBed.Create(db.DataSource, null, null, "creator", AllDay);
        const int count = 150;
        using var a = ChildNode.Start(db.ConnectionString, "node-a", "quartz");
        using var b = ChildNode.Start(db.ConnectionString, "node-b", "quartz");
        await a.WaitForLineAsync(l => l.StartsWith("STARTED", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        await b.WaitForLineAsync(l => l.StartsWith("STARTED", StringComparison.Ordinal), TimeSpan.FromSeconds(90));

        var ids = await CreateDueAsync(bed, count, "quartz", DateTimeOffset.UtcNow);
        await WaitForDialsAsync([a, b], ids, TimeSpan.FromSeconds(120));
        await Task.Delay(TimeSpan.FromSeconds(3));                            // let a duplicate show itself if there were one

        var dials = Dials([a, b]);
        dials.Count.ShouldBe(count, string.Join('\n', a.Lines.Concat(b.Lines).Where(l => l.StartsWith("ERR", StringComparison.Ordinal)).Take(20)));
        dials.Select(d => d.AttemptId).Distinct().Count().ShouldBe(count);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM qrtz_job_details")).ShouldBeGreaterThanOrEqualTo(2);   // ProvisionSchema made the store
        (await conn.ExecuteScalarAsync<int>("SELECT count(DISTINCT instance_name) FROM qrtz_scheduler_state")).ShouldBe(2); // two cluster members
    }

    [PostgresFact]
    public async Task SchedulingResumesByItselfAfterPostgresIsRestartedUnderARunningNode()
    {
        await using var db = await OpenAllDayDatabaseAsync();
        await using var bed = CallbackTestBed.Create(db.DataSource, null, null, "creator", AllDay);
        using var node = ChildNode.Start(db.ConnectionString, "node-a", "quartz");
        await node.WaitForLineAsync(l => l.StartsWith("STARTED", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        var before = await CreateDueAsync(bed, 1, "before", DateTimeOffset.UtcNow);
        await WaitForDialsAsync([node], before, TimeSpan.FromSeconds(60));

        await PostgresFaults.TerminateBackendsAsync(db.Name);
        await PostgresFaults.RestartClusterIfLocalAsync();
        db.DataSource.Clear();                                                // the test's own pool, not the node's

        var after = await PostgresFaults.RetryAsync(() => CreateDueAsync(bed, 3, "after", DateTimeOffset.UtcNow), TimeSpan.FromSeconds(30));
        await WaitForDialsAsync([node], [.. before, .. after], TimeSpan.FromSeconds(90));
        node.HasExited.ShouldBeFalse();                                        // no restart of the app
        var dials = Dials([node]);
        dials.Count.ShouldBe(4);
        dials.Select(d => d.AttemptId).Distinct().Count().ShouldBe(4);
    }

    private static async Task<TestDatabase> OpenAllDayDatabaseAsync()
    {
        var db = await CallbackTestBed.MigratedDatabaseAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("DELETE FROM business_hours");
        return db;
    }

    /// <summary>Manual callbacks (no working-day rule) to distinct numbers, due now; returns their first attempt ids.</summary>
    private static async Task<List<long>> CreateDueAsync(CallbackTestBed bed, int count, string prefix, DateTimeOffset due)
    {
        var created = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var number = "135" + (10_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var r = await bed.Requests.ManualAsync(prefix + "-" + i, number, null, due.AddSeconds(-1), "agent:1", null, CancellationToken.None);
            created.Add(r.CallbackId!.Value);
        }

        await using var conn = await bed.Db.OpenConnectionAsync();
        return (await conn.QueryAsync<long>("SELECT id FROM callback_attempts WHERE callback_id = ANY(@created)", new { created })).AsList();
    }

    private static List<(long AttemptId, string Node)> Dials(IEnumerable<ChildNode> nodes) =>
        nodes.SelectMany(n => n.Lines).Where(l => l.StartsWith("DIALED ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')).Select(p => (long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), p[2])).ToList();

    private static async Task WaitForDialsAsync(ChildNode[] nodes, IReadOnlyCollection<long> attemptIds, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            var seen = Dials(nodes).Select(d => d.AttemptId).ToHashSet();
            if (attemptIds.All(seen.Contains))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("not all attempts were dialed; node output:\n" + string.Join('\n', nodes.SelectMany(n => n.Lines).TakeLast(40)));
    }
}
