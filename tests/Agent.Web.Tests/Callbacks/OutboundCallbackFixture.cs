using CallCenter.Agent.Web.Tests.Calls;
using CallCenter.Callbacks.Requests;
using CallCenter.Telephony.Tests.Pipeline;
using CallCenter.Telephony.Transcription;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using CallCenter.Telephony;

namespace CallCenter.Agent.Web.Tests.Callbacks;

/// <summary>
/// The real host with SIP and the callback scheduler on (Quartz sweeping every 300 ms) on a fresh database; its
/// outbound trunk is a loopback port where each test starts sipp as the customer. Calling hours are opened to the
/// whole day so the tests do not depend on the clock. Agents' phones register with MD5 first (sipp reads only the first
/// challenge). The one stand-in is the transcriber (ITranscriber seam): no Whisper weights exist here, so it returns
/// the known sentence of the clip nearest in length; VAD, storage and screening behind it are real.
/// </summary>
public sealed class OutboundCallbackFixture : IAsyncLifetime
{
    private TestDatabase? _db;
    private WebApplicationFactory<Program>? _factory;

    public int TrunkPort { get; private set; }

    /// <summary>The host's own SIP port, where agents' phones register.</summary>
    public int SipPort => Services.GetRequiredService<IOptions<TelephonyOptions>>().Value.Sip.Port;

    public NpgsqlDataSource DataSource => _db!.DataSource;

    public IServiceProvider Services => _factory!.Services;

    public CallbackRequests Requests => Services.GetRequiredService<CallbackRequests>();

    public string RecordingsPath { get; } = Path.Combine(Path.GetTempPath(), "cc-cb-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        if (TestDatabase.ServerConnectionString is null)
        {
            return;
        }

        _db = await TestDatabase.CreateAsync();
        TrunkPort = TestPorts.Free();
        var rtpBase = 44000 + (Random.Shared.Next(0, 200) * 4);
        _factory = OutboundHost.Start(_db.ConnectionString, "cb-test-" + Guid.NewGuid().ToString("N")[..6], TrunkPort, rtpBase, rtpBase + 198, RecordingsPath,
            new Dictionary<string, string> { ["Telephony:Sip:DigestAlgorithms"] = "MD5,SHA-256" },
            services =>
            {
                services.AddSingleton<ITranscriber>(new ScriptedTranscriber(
                    [(SipHostFixture.CallerSpeech.Length, SipHostFixture.CallerText), (SipHostFixture.AgentSpeech.Length, SipHostFixture.AgentText)]));
                services.AddSingleton(new TranscriptionStatus(TranscriptionMode.Whisper));
            });
    }

    /// <summary>A customer with one verified mobile number and a repair order in repair.</summary>
    public async Task<(long CustomerId, long RepairId)> CustomerWithRepairAsync(string number)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        var customerId = await conn.ExecuteScalarAsync<long>("INSERT INTO customers (name) VALUES ('测试客户') RETURNING id");
        await conn.ExecuteAsync("INSERT INTO customer_phones (customer_id, number, verified, is_preferred) VALUES (@customerId, @number, true, true)",
            new { customerId, number });
        var repairId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO repair_orders (order_no, customer_id, status, fault_description)
            VALUES ('R-' || @number, @customerId, 'repairing', '不开机') RETURNING id
            """, new { customerId, number });
        return (customerId, repairId);
    }

    /// <summary>The repair desk marks the unit ready: status and ready time, then the pick-up reminder request.</summary>
    public async Task<long> MarkReadyAsync(long repairId)
    {
        await using (var conn = await DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("UPDATE repair_orders SET status = 'ready_for_pickup', ready_at = now() WHERE id = @repairId", new { repairId });
        }

        var created = await Requests.RepairReadyForPickupAsync(repairId, CancellationToken.None);
        created.Created.ShouldBeTrue(created.Error);
        return created.CallbackId!.Value;
    }

    /// <summary>Waits (bounded) until the callback's first attempt has left 'scheduled' and 'dialing'.</summary>
    public async Task<AttemptRow> WaitForFirstAttemptAsync(long callbackId, int seconds = 45)
    {
        for (var i = 0; i < seconds * 5; i++)
        {
            await using var conn = await DataSource.OpenConnectionAsync();
            var row = await conn.QuerySingleOrDefaultAsync<AttemptRow>("""
                SELECT id AS Id, state AS State, outcome AS Outcome, dtmf AS Dtmf, sip_call_id AS SipCallId, notes AS Notes
                  FROM callback_attempts WHERE callback_id = @callbackId AND attempt_no = 1 AND state NOT IN ('scheduled','dialing')
                """, new { callbackId });
            if (row is not null)
            {
                return row;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the first attempt of callback " + callbackId + " did not end within " + seconds + " s");
    }

    public async Task<T> QuerySingleAsync<T>(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return await conn.QuerySingleAsync<T>(sql, args);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_factory is not null)
            {
                await _factory.DisposeAsync();
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

public sealed record AttemptRow(long Id, string State, string? Outcome, string? Dtmf, string? SipCallId, string? Notes);

[CollectionDefinition(Name)]
public sealed class OutboundCallbackGroup : ICollectionFixture<OutboundCallbackFixture>
{
    public const string Name = "outbound-callbacks";
}
