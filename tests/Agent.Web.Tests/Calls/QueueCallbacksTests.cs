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

/// <summary>Callback requests for callers the queue lost, from the calls rows (reconciliation) on a real PostgreSQL.</summary>
public sealed class QueueCallbacksTests
{
    private static QueueCallbacks Bridge(TestDatabase db, CallEventBus bus) => new(bus,
        new CallbackRequests(db.DataSource, new PolicyCatalog(db.DataSource, Options.Create(new CallbacksOptions()), TimeProvider.System),
            TimeProvider.System, NullLogger<CallbackRequests>.Instance),
        db.DataSource, Options.Create(new QueueCallbackOptions { LookbackHours = 24 }), TimeProvider.System, NullLogger<QueueCallbacks>.Instance);

    [PostgresFact]
    public async Task TheReconciliationCreatesOneRequestPerLostCallerAndNothingForTheOthers()
    {
        await using var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var customer = await conn.ExecuteScalarAsync<long>("INSERT INTO customers (name) VALUES ('赵先生') RETURNING id");
        await conn.ExecuteAsync("INSERT INTO customer_phones (customer_id, number, verified) VALUES (@customer, '13600000002', true)", new { customer });
        await conn.ExecuteAsync("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, node, state, answered_at, queued_at, agent_answered_at,
                               ended_at, disposition, ended_by)
            SELECT ('00000000-0000-0000-0000-' || lpad(v.n::text, 12, '0'))::uuid, 'inbound', 'qc-' || v.n, v.caller, 'test', 'ended',
                   CASE WHEN v.answered THEN v.ended - interval '1 minute' END, v.ended - interval '50 s',
                   CASE WHEN v.agent THEN v.ended - interval '40 s' END, v.ended, v.disposition, v.ended_by
              FROM (VALUES
                (1, '13600000001', true,  false, now() - interval '1 hour',  'abandoned',        'caller'), -- hung up while queued
                (2, '13600000002', true,  false, now() - interval '2 hours', 'callback_offered', 'system'), -- pressed 1
                (3, NULL,          true,  false, now() - interval '1 hour',  'abandoned',        'caller'), -- withheld
                (4, '13600000004', true,  true,  now() - interval '1 hour',  'completed',        'agent'),  -- served
                (5, '13600000005', true,  false, now() - interval '1 hour',  'abandoned',        'system'), -- maximum duration
                (6, '13600000006', false, false, now() - interval '1 hour',  'abandoned',        'caller'), -- CANCEL while ringing
                (7, '13600000007', true,  false, now() - interval '3 days',  'abandoned',        'caller'), -- too long ago
                (8, '13600000001', true,  false, now() - interval '30 minutes', 'abandoned',     'caller'), -- same number again
                (9, '13600000009', true,  false, now() - interval '1 hour',  'closed',           'system'), -- heard the line is closed
                (10, '13600000010', false, false, now() - interval '1 hour', 'closed',           'caller')  -- CANCEL before the closed prompt
              ) v(n, caller, answered, agent, ended, disposition, ended_by)
            """);
        using var bus = new CallEventBus();
        var bridge = Bridge(db, bus);

        var created = await bridge.ReconcileAsync(CancellationToken.None);
        var again = await bridge.ReconcileAsync(CancellationToken.None);

        created.ShouldBe(3);
        again.ShouldBe(0);
        var rows = (await conn.QueryAsync<(string Kind, string SourceType, string SourceId, string Destination, long? CustomerId)>(
            "SELECT kind, source_type, source_id, destination, customer_id FROM callbacks ORDER BY source_id")).ToList();
        rows.ShouldBe([
            ("abandoned", "call", "00000000-0000-0000-0000-000000000001", "13600000001", null),
            ("queue_callback", "queue", "00000000-0000-0000-0000-000000000002", "13600000002", customer),
            ("abandoned", "call", "00000000-0000-0000-0000-000000000009", "13600000009", null),
        ]);
        (await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM callback_attempts")).ShouldBe(3);
    }

    [PostgresFact]
    public async Task ACallerWhoPressedOneGetsTheRequestFromTheEventBeforeTheRowIsClosed()
    {
        await using var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var callId = Guid.NewGuid();
        await conn.ExecuteAsync("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, node, state, answered_at, queued_at)
            VALUES (@callId, 'inbound', 'qc-open', '13600000009', 'test', 'queued', now(), now())
            """, new { callId });
        using var bus = new CallEventBus();
        var bridge = Bridge(db, bus);

        var first = await bridge.EnsureForCallAsync(callId, chosen: true, CancellationToken.None);
        var second = await bridge.EnsureForCallAsync(callId, chosen: true, CancellationToken.None);
        var notChosen = await bridge.EnsureForCallAsync(callId, chosen: false, CancellationToken.None);

        first.ShouldNotBeNull().Created.ShouldBeTrue();
        second.ShouldNotBeNull().Created.ShouldBeFalse();
        second.CallbackId.ShouldBe(first.CallbackId);
        notChosen.ShouldBeNull(); // still queued: nothing to call back for
    }
}

/// <summary>The web host follows the softswitch's bus: an abandoned call's CallEnded becomes a callback request.</summary>
public sealed class QueueCallbacksHostTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [PostgresFact]
    public async Task TheHostTurnsAnAbandonedCallIntoACallbackRequest()
    {
        var callId = Guid.NewGuid();
        await using (var cmd = app.Db.CreateCommand("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, node, state, answered_at, queued_at, ended_at, disposition, ended_by)
            VALUES ($1, 'inbound', 'qh-1', '13600000010', 'test', 'ended', now() - interval '1 minute', now() - interval '50 s', now(),
                    'abandoned', 'caller')
            """))
        {
            cmd.Parameters.AddWithValue(callId);
            await cmd.ExecuteNonQueryAsync();
        }

        // Published again each second until seen: the host's subscription may start just after the fixture is up.
        for (var i = 0; i < 30 && await app.CountAsync("SELECT count(*) FROM callbacks WHERE source_id = $1", callId.ToString()) == 0; i++)
        {
            app.Bus.Publish(new CallEnded(callId, DateTimeOffset.UtcNow, "abandoned", "caller", "BYE from caller"));
            await Task.Delay(1000);
        }

        (await app.CountAsync("SELECT count(*) FROM callbacks WHERE source_id = $1 AND kind = 'abandoned' AND destination = '13600000010'",
            callId.ToString())).ShouldBe(1);
    }
}
