using CallCenter.Agent.Web.Calls;
using CallCenter.Agent.Web.Data;
using CallCenter.Callbacks;
using CallCenter.Callbacks.Policies;
using CallCenter.Callbacks.Requests;
using CallCenter.Telephony.Calls;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CallCenter.Agent.Web.Tests.Calls;

/// <summary>The bridge from the pipeline's PromiseDetected event to a callback request, on a real PostgreSQL.</summary>
public sealed class PromiseBridgeTests
{
    [PostgresFact]
    public async Task ASpokenPromiseBecomesOneCallbackDueAtThePromisedTimeEvenWhenSeenTwice()
    {
        await using var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var agentId = await conn.ExecuteScalarAsync<int>("INSERT INTO agents (username, display_name) VALUES ('p1', '坐席') RETURNING id");
        var callId = Guid.NewGuid();
        await conn.ExecuteAsync("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, node, agent_id) VALUES (@callId, 'inbound', 'x1', '13800138000', 'test', @agentId)
            """, new { callId, agentId });
        var segmentId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO transcript_segments (call_id, speaker, seq, start_ms, end_ms, text) VALUES (@callId, 'agent', 0, 0, 1000, '明天上午给您答复') RETURNING id
            """, new { callId });
        var requests = new CallbackRequests(db.DataSource, new PolicyCatalog(db.DataSource, Options.Create(new CallbacksOptions()), TimeProvider.System),
            TimeProvider.System, NullLogger<CallbackRequests>.Instance);
        using var bus = new CallEventBus();
        var bridge = new PromiseBridge(bus, requests, db.DataSource, NullLogger<PromiseBridge>.Instance);
        var due = DateTimeOffset.UtcNow.AddHours(20);
        var promise = new PromiseDetected(callId, DateTimeOffset.UtcNow, "PR01", "明天上午给您答复", "明天上午", due, segmentId);

        var first = await bridge.HandleAsync(promise, CancellationToken.None);
        var again = await bridge.HandleAsync(promise, CancellationToken.None);

        first.ShouldNotBeNull().Created.ShouldBeTrue();
        again.ShouldNotBeNull().Created.ShouldBeFalse();
        var row = await conn.QuerySingleAsync<(string Kind, int OwnerAgentId, long TranscriptSegmentId, string PromiseText)>(
            "SELECT kind, owner_agent_id, transcript_segment_id, promise_text FROM callbacks");
        row.ShouldBe(("promise", agentId, segmentId, "明天上午给您答复"));
    }

    [PostgresFact]
    public async Task APromiseOnACallWithoutAnAgentCreatesNothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var callId = Guid.NewGuid();
        await conn.ExecuteAsync("INSERT INTO calls (id, direction, sip_call_id, caller_number, node) VALUES (@callId, 'inbound', 'x2', '13800138000', 'test')", new { callId });
        var requests = new CallbackRequests(db.DataSource, new PolicyCatalog(db.DataSource, Options.Create(new CallbacksOptions()), TimeProvider.System),
            TimeProvider.System, NullLogger<CallbackRequests>.Instance);
        using var bus = new CallEventBus();
        var bridge = new PromiseBridge(bus, requests, db.DataSource, NullLogger<PromiseBridge>.Instance);

        (await bridge.HandleAsync(new PromiseDetected(callId, DateTimeOffset.UtcNow, "PR01", "十分钟后回电", "十分钟后", DateTimeOffset.UtcNow.AddMinutes(10), 1), CancellationToken.None))
            .ShouldBeNull();
        (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM callbacks")).ShouldBe(0);
    }
}
