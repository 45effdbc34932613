using CallCenter.Callbacks.Requests;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CallCenter.Agent.Web.Tests.Callbacks;

/// <summary>
/// Two real hosts (SIP, clustered Quartz sweeping every 300 ms, SipCallbackDialer) on ONE fresh database, both dialing
/// through the same trunk port where the test runs one sipp UAS. Each host has its own node name, SIP port, RTP range
/// and Quartz instance id (same scheduler name: one cluster). Each host dials at most 3 calls at once, so one sweep
/// cannot claim every due attempt and the other node gets a chance to race for the rest.
/// </summary>
public sealed class TwoHostCallbackFixture : IAsyncLifetime
{
    private readonly List<WebApplicationFactory<Program>> _hosts = [];
    private TestDatabase? _db;

    public int TrunkPort { get; private set; }

    public IReadOnlyList<string> NodeNames { get; } =
        ["cb-a-" + Guid.NewGuid().ToString("N")[..6], "cb-b-" + Guid.NewGuid().ToString("N")[..6]];

    public NpgsqlDataSource DataSource => _db!.DataSource;

    /// <summary>Request creation through the first host (the same path the single-host tests use).</summary>
    public CallbackRequests Requests => _hosts[0].Services.GetRequiredService<CallbackRequests>();

    public string RecordingsPath { get; } = Path.Combine(Path.GetTempPath(), "cc-cb2-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        if (TestDatabase.ServerConnectionString is null)
        {
            return;
        }

        _db = await TestDatabase.CreateAsync();
        TrunkPort = TestPorts.Free();
        var rtpBase = 46000 + (Random.Shared.Next(0, 100) * 8);
        for (var i = 0; i < NodeNames.Count; i++)
        {
            // One after the other: the first host runs the migrations and provisions the Quartz schema.
            _hosts.Add(StartHost(NodeNames[i], rtpBase + (i * 400)));
        }
    }

    private WebApplicationFactory<Program> StartHost(string node, int rtpMin) =>
        OutboundHost.Start(_db!.ConnectionString, node, TrunkPort, rtpMin, rtpMin + 398, Path.Combine(RecordingsPath, node),
            new Dictionary<string, string> { ["Callbacks:MaxConcurrentDials"] = "3" });

    /// <summary>A customer with one verified mobile, a repair order marked ready, and its pick-up reminder request.</summary>
    public async Task<long> ReadyRepairReminderAsync(string number)
    {
        await using (var conn = await DataSource.OpenConnectionAsync())
        {
            var customerId = await conn.ExecuteScalarAsync<long>("INSERT INTO customers (name) VALUES ('测试客户') RETURNING id");
            await conn.ExecuteAsync("INSERT INTO customer_phones (customer_id, number, verified, is_preferred) VALUES (@customerId, @number, true, true)",
                new { customerId, number });
            var repairId = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO repair_orders (order_no, customer_id, status, fault_description, ready_at)
                VALUES ('R-' || @number, @customerId, 'ready_for_pickup', '不开机', now()) RETURNING id
                """, new { customerId, number });
            var created = await Requests.RepairReadyForPickupAsync(repairId, CancellationToken.None);
            created.Created.ShouldBeTrue(created.Error);
            return created.CallbackId!.Value;
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var host in _hosts)
            {
                await host.DisposeAsync();
            }

            if (_db is not null)
            {
                await _db.DisposeAsync();
            }
        }
        finally
        {
            if (Directory.Exists(RecordingsPath))
            {
                Directory.Delete(RecordingsPath, recursive: true);
            }
        }
    }
}
