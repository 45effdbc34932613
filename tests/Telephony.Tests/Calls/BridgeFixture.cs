using CallCenter.Agent.Web.Data;
using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Media;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>
/// A softswitch of its own for ACD/bridge tests (agents it creates must never ring during other collections'
/// calls): fresh database, a 'repairs' line (800 number, 2 s ring timeout) and a 'sales' line for transfers, a
/// 0.2 s welcome prompt so calls reach the queue quickly, and short ACD pauses and wrap-up.
/// </summary>
public sealed class BridgeFixture : IAsyncLifetime
{
    public const string RepairsNumber = "8008102000";
    public const string SalesNumber = "8008103000";
    private IHost? _host;
    private TestDatabase? _db;

    public NpgsqlDataSource DataSource => _db!.DataSource;

    public int SipPort { get; private set; }

    public int RepairsLineId { get; private set; }

    public int SalesLineId { get; private set; }

    public string RecordingsPath { get; } = Path.Combine(Path.GetTempPath(), "cc-bridge-" + Guid.NewGuid().ToString("N")[..8]);

    private string PromptsPath => Path.Combine(RecordingsPath, "prompts");

    public CallManager Calls => _host!.Services.GetRequiredService<CallManager>();

    public CallEventBus Events => _host!.Services.GetRequiredService<CallEventBus>();

    public async Task InitializeAsync()
    {
        if (TestDatabase.ServerConnectionString is null)
        {
            return;
        }

        _db = await TestDatabase.CreateAsync();
        await new Migrator(_db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var conn = await _db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync(
                """
                INSERT INTO service_lines (code, name_zh, name_en, welcome_prompt, ring_timeout_seconds, max_wait_seconds) VALUES
                  ('repairs', '维修服务', 'Repairs', 'short.wav', 2, 120), ('sales', '销售', 'Sales', 'short.wav', 2, 120);
                INSERT INTO toll_free_numbers (number, service_line_id) SELECT '8008102000', id FROM service_lines WHERE code = 'repairs';
                INSERT INTO toll_free_numbers (number, service_line_id) SELECT '8008103000', id FROM service_lines WHERE code = 'sales';
                """);
            RepairsLineId = await conn.ExecuteScalarAsync<int>("SELECT id FROM service_lines WHERE code = 'repairs'");
            SalesLineId = await conn.ExecuteScalarAsync<int>("SELECT id FROM service_lines WHERE code = 'sales'");
        }

        Directory.CreateDirectory(PromptsPath);
        using (var prompt = new WavWriter(Path.Combine(PromptsPath, "short.wav")))
        {
            prompt.Append(Enumerable.Range(0, 1600).Select(i => (short)(Math.Sin(i * 0.3) * 2000)).ToArray());
        }

        SipPort = SoftswitchFixture.FreePort();
        _host = SoftswitchFixture.BuildHost(_db.DataSource, SipPort, "bridge-node-" + _db.Name, RecordingsPath, settings: new Dictionary<string, string?>
        {
            ["Telephony:PromptsPath"] = PromptsPath,
            ["Telephony:Calls:DefaultWelcomePrompt"] = "short.wav",
            ["Telephony:Calls:RtpInactivitySeconds"] = "30",
            ["Telephony:Acd:RetryPauseMilliseconds"] = "300",
            ["Telephony:Acd:WrapUpSeconds"] = "1",
        });
        await _host.StartAsync();
    }

    /// <summary>An available agent skilled for <paramref name="lineId"/>, idle <paramref name="idleMinutes"/>, registered at the phone.</summary>
    public async Task<int> AgentAsync(int lineId, int idleMinutes, TestPhone phone, string? name = null)
    {
        name ??= "agt" + Guid.NewGuid().ToString("N")[..10];
        await using var conn = await DataSource.OpenConnectionAsync();
        var id = await conn.ExecuteScalarAsync<int>(
            """
            INSERT INTO agents (username, display_name, sip_username, state, state_changed_at)
            VALUES (@name, @name, @name, 'available', now() - make_interval(mins => @idleMinutes)) RETURNING id
            """, new { name, idleMinutes });
        await conn.ExecuteAsync("INSERT INTO agent_skills (agent_id, service_line_id) VALUES (@id, @lineId)", new { id, lineId });
        await conn.ExecuteAsync(
            """
            INSERT INTO agent_registrations (agent_id, contact_uri, source, node, expires_at)
            VALUES (@id, 'sip:' || @name || '@127.0.0.1:' || @port, 'udp:127.0.0.1', 'test', now() + interval '5 minutes')
            """, new { id, name, port = phone.SipPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return id;
    }

    /// <summary>
    /// An offline agent skilled for the repairs line whose own SIP phone must REGISTER with digest auth
    /// (<paramref name="password"/> in realm "callcenter") before calls route to it.
    /// </summary>
    public async Task<int> SipAgentAsync(string user, string password)
    {
        const string realm = "callcenter";
        await using var conn = await DataSource.OpenConnectionAsync();
        var id = await conn.ExecuteScalarAsync<int>(
            """
            INSERT INTO agents (username, display_name, sip_username, sip_realm, sip_ha1_md5, sip_ha1_sha256, state, state_changed_at)
            VALUES (@user, @user, @user, @realm, @md5, @sha, 'offline', now() - interval '1 hour') RETURNING id
            """,
            new
            {
                user, realm,
                md5 = DigestAuth.Ha1(DigestAlgorithm.Md5, user, realm, password),
                sha = DigestAuth.Ha1(DigestAlgorithm.Sha256, user, realm, password),
            });
        await conn.ExecuteAsync("INSERT INTO agent_skills (agent_id, service_line_id) VALUES (@id, @line)", new { id, line = RepairsLineId });
        return id;
    }

    /// <summary>Takes every agent out of routing (each test starts with only its own agents available).</summary>
    public async Task RetireAgentsAsync()
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE agents SET active = false, state = 'offline'");
    }

    public async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync(sql, args);
    }

    public async Task<T> QuerySingleAsync<T>(string sql, object? args = null)
    {
        await using var conn = await DataSource.OpenConnectionAsync();
        return await conn.QuerySingleAsync<T>(sql, args);
    }

    /// <summary>Polls (bounded) until <paramref name="sql"/> returns <paramref name="expected"/>; returns the last value.</summary>
    public async Task<T> EventuallyAsync<T>(string sql, object? args, T expected, int seconds = 10)
    {
        T value = default!;
        for (var i = 0; i < seconds * 10; i++)
        {
            value = await QuerySingleAsync<T>(sql, args);
            if (EqualityComparer<T>.Default.Equals(value, expected))
            {
                return value;
            }

            await Task.Delay(100);
        }

        return value;
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
public sealed class BridgeGroup : ICollectionFixture<BridgeFixture>
{
    public const string Name = "bridge";
}
