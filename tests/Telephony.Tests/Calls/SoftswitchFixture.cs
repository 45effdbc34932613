using System.Net;
using System.Net.Sockets;
using CallCenter.Agent.Web.Data;
using CallCenter.Telephony;
using CallCenter.Telephony.Calls;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>
/// The real softswitch (AddTelephony + hosted SipServer) on a free loopback port, on a fresh migrated database
/// with test lines, numbers and customers. Shared by the tests of one collection; nothing is faked.
/// </summary>
public sealed class SoftswitchFixture : IAsyncLifetime
{
    public const string RepairsNumber = "8008101000";
    public const string RulesNumber = "8008109000";     // line 'ruletest': rules scoped to it do not touch other tests
    public const string TicketHolder = "13900000001";   // has an open repair order
    public const string ComplaintHolder = "13900000002"; // has an open complaint

    private IHost? _host;
    private TestDatabase? _db;

    public NpgsqlDataSource DataSource => _db!.DataSource;

    public int SipPort { get; private set; }

    /// <summary>The nonce secret the test softswitch signs with (tests forge stale nonces with it).</summary>
    public byte[] NonceSecret { get; } = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    public string RecordingsPath { get; } = Path.Combine(Path.GetTempPath(), "cc-rec-" + Guid.NewGuid().ToString("N")[..8]);

    public CallManager Calls => _host!.Services.GetRequiredService<CallManager>();

    public CallEventBus Events => _host!.Services.GetRequiredService<CallEventBus>();

    public IServiceProvider Services => _host!.Services;

    public int RulesLineId { get; private set; }

    public async Task InitializeAsync()
    {
        if (TestDatabase.ServerConnectionString is null)
        {
            return; // [PostgresFact] skips the tests; nothing to start
        }

        _db = await TestDatabase.CreateAsync();
        await new Migrator(_db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var conn = await _db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync(
                """
                INSERT INTO service_lines (code, name_zh, name_en, welcome_prompt) VALUES
                  ('repairs', '维修服务', 'Repairs', 'welcome_repairs.wav'), ('ruletest', '规则测试', 'Rule tests', 'welcome.wav');
                INSERT INTO toll_free_numbers (number, service_line_id) SELECT '8008101000', id FROM service_lines WHERE code = 'repairs';
                INSERT INTO toll_free_numbers (number, service_line_id) SELECT '8008109000', id FROM service_lines WHERE code = 'ruletest';
                INSERT INTO customers (id, name) VALUES (1, '王先生'), (2, '李女士');
                INSERT INTO customer_phones (customer_id, number) VALUES (1, '13900000001'), (2, '13900000002');
                INSERT INTO product_categories (code, name_zh, return_days, exchange_days, warranty_months)
                  VALUES ('test', '测试', 7, 15, 12) ON CONFLICT DO NOTHING;
                INSERT INTO repair_orders (order_no, customer_id, status, fault_description) VALUES ('R-T1', 1, 'repairing', '不开机');
                INSERT INTO complaints (complaint_no, customer_id, summary, status, first_response_due_at, resolution_due_at)
                  VALUES ('C-T1', 2, '维修太慢', 'open', now() + interval '1 day', now() + interval '3 days');
                """);
            RulesLineId = await conn.ExecuteScalarAsync<int>("SELECT id FROM service_lines WHERE code = 'ruletest'");
        }

        SipPort = FreePort();
        _host = BuildHost(_db.DataSource, SipPort, "test-node-" + _db.Name, RecordingsPath, Convert.ToBase64String(NonceSecret));
        await _host.StartAsync();
    }

    /// <summary>The softswitch as the host composes it (AddTelephony), on loopback with short test timeouts.</summary>
    public static IHost BuildHost(NpgsqlDataSource dataSource, int sipPort, string node, string recordingsPath, string? nonceSecret = null,
        Action<IServiceCollection>? replaceSeams = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var rtpBase = 30000 + (Random.Shared.Next(0, 300) * 4);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telephony:Sip:BindAddress"] = "127.0.0.1",
            ["Telephony:Sip:Port"] = sipPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Telephony:Rtp:PortMin"] = rtpBase.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Telephony:Rtp:PortMax"] = (rtpBase + 398).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Telephony:RecordingsPath"] = recordingsPath,
            ["Telephony:PromptsPath"] = Path.Combine(TestEnvironment.RepositoryRoot, "src", "Telephony", "Prompts"),
            ["Telephony:NodeName"] = node,
            ["Telephony:Calls:RingMilliseconds"] = "300",
            ["Telephony:Calls:RtpInactivitySeconds"] = "4",
            ["Telephony:Calls:MaxDurationSeconds"] = "60",
            ["Telephony:Sip:NonceSecret"] = nonceSecret,
            ["Telephony:Sip:DigestAlgorithms"] = "MD5,SHA-256", // sipp 3.6 answers only the first challenge and knows only MD5
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddSingleton(dataSource);
        builder.AddTelephony();
        replaceSeams?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>A UDP+TCP port free right now on loopback (both protocols, since SIP listens on both).</summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new TcpListener(IPAddress.Loopback, port);
                tcp.Start();
                tcp.Stop();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free port");
    }

    public async Task<T> QuerySingleAsync<T>(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return await conn.QuerySingleAsync<T>(sql, args);
    }

    public async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync(sql, args);
    }

    /// <summary>Waits (bounded) until the call row with this SIP Call-ID has ended; returns its disposition.</summary>
    public async Task<CallRow> WaitForEndedCallAsync(string sipCallId, int seconds = 20)
    {
        for (var i = 0; i < seconds * 10; i++)
        {
            await using var conn = await DataSource.OpenConnectionAsync();
            var row = await conn.QuerySingleOrDefaultAsync<CallRow>(
                """
                SELECT id AS Id, caller_number AS CallerNumber, dialed_number AS DialedNumber, service_line_id AS ServiceLineId,
                       state AS State, disposition AS Disposition, ended_by AS EndedBy, end_reason AS EndReason,
                       answered_at IS NOT NULL AS Answered, queued_at IS NOT NULL AS Queued
                  FROM calls WHERE sip_call_id = @sipCallId AND ended_at IS NOT NULL
                """, new { sipCallId });
            if (row is not null)
            {
                return row;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("call " + sipCallId + " did not end within " + seconds + " s");
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_host is not null)
            {
                await _host.StopAsync();
                _host.Dispose();
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

public sealed record CallRow(Guid Id, string? CallerNumber, string? DialedNumber, int? ServiceLineId, string State, string? Disposition,
    string? EndedBy, string? EndReason, bool Answered, bool Queued);

[CollectionDefinition(Name)]
public sealed class SoftswitchGroup : ICollectionFixture<SoftswitchFixture>
{
    public const string Name = "softswitch";
}
