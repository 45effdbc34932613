using CallCenter.Agent.Web.Data;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Outbound;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CallCenter.Telephony.Tests.Outbound;

/// <summary>
/// The real softswitch (AddTelephony, SIP on a free loopback port) on a fresh migrated database, with its outbound
/// trunk pointing at a loopback port where each test starts sipp as the customer. Short ring and key timeouts.
/// </summary>
public sealed class OutboundFixture : IAsyncLifetime
{
    public const string CallerId = "4008101000";

    private IHost? _host;
    private TestDatabase? _db;

    public NpgsqlDataSource DataSource => _db!.DataSource;

    public int TrunkPort { get; private set; }

    public string RecordingsPath { get; } = Path.Combine(Path.GetTempPath(), "cc-out-" + Guid.NewGuid().ToString("N")[..8]);

    public OutboundDialer Dialer => _host!.Services.GetRequiredService<OutboundDialer>();

    public CallEventBus Events => _host!.Services.GetRequiredService<CallEventBus>();

    /// <summary>Sees the audio the dialer hands to live transcription.</summary>
    public AudioProbe Audio { get; } = new();

    /// <summary>The softswitch's SIP port (agents' phones talk to it).</summary>
    public int SipPort => _host!.Services.GetRequiredService<SipServer>().UdpEndPoint!.Port;

    /// <summary>An available agent whose phone is registered at <paramref name="phoneSipPort"/> on loopback.</summary>
    public async Task<int> AgentAsync(int phoneSipPort)
    {
        var name = "cb" + Guid.NewGuid().ToString("N")[..10];
        await using var conn = await DataSource.OpenConnectionAsync();
        var id = await conn.ExecuteScalarAsync<int>(
            """
            INSERT INTO agents (username, display_name, sip_username, state, state_changed_at)
            VALUES (@name, @name, @name, 'available', now()) RETURNING id
            """, new { name });
        await conn.ExecuteAsync(
            """
            INSERT INTO agent_registrations (agent_id, contact_uri, source, node, expires_at)
            VALUES (@id, 'sip:' || @name || '@127.0.0.1:' || @port, 'udp:127.0.0.1', 'test', now() + interval '5 minutes')
            """, new { id, name, port = phoneSipPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return id;
    }

    public async Task InitializeAsync()
    {
        if (TestDatabase.ServerConnectionString is null)
        {
            return;
        }

        _db = await TestDatabase.CreateAsync();
        await new Migrator(_db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        TrunkPort = SoftswitchFixture.FreePort();
        _host = BuildHost(_db.DataSource, new Dictionary<string, string?>
        {
            ["Telephony:Outbound:Trunk"] = "127.0.0.1:" + TrunkPort,
            ["Telephony:Outbound:CallerId"] = CallerId,
            ["Telephony:Outbound:MaxRingSeconds"] = "5",
            ["Telephony:Outbound:DigitTimeoutSeconds"] = "2",
            ["Telephony:Outbound:MaxCallSeconds"] = "60",
        }, RecordingsPath, Audio);
        await _host.StartAsync();
    }

    /// <summary>The softswitch as AddTelephony composes it, on loopback, plus the given settings.</summary>
    public static IHost BuildHost(NpgsqlDataSource dataSource, IDictionary<string, string?> settings, string recordingsPath, ICallAudioSink? probe = null)
    {
        var rtpBase = 36000 + (Random.Shared.Next(0, 300) * 4);
        var builder = Host.CreateApplicationBuilder();
        var config = new Dictionary<string, string?>
        {
            ["Telephony:Sip:BindAddress"] = "127.0.0.1",
            ["Telephony:Sip:Port"] = SoftswitchFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Telephony:Sip:TcpEnabled"] = "false",
            ["Telephony:Rtp:PortMin"] = rtpBase.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Telephony:Rtp:PortMax"] = (rtpBase + 398).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Telephony:RecordingsPath"] = recordingsPath,
            ["Telephony:PromptsPath"] = Path.Combine(TestEnvironment.RepositoryRoot, "src", "Telephony", "Prompts"),
            ["Telephony:NodeName"] = "outbound-test-" + Guid.NewGuid().ToString("N")[..6],
        };
        foreach (var (k, v) in settings)
        {
            config[k] = v;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton(dataSource);
        builder.AddTelephony();
        if (probe is not null)
        {
            builder.Services.AddSingleton(probe);
        }

        return builder.Build();
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

[CollectionDefinition(Name)]
public sealed class OutboundGroup : ICollectionFixture<OutboundFixture>
{
    public const string Name = "outbound";
}
