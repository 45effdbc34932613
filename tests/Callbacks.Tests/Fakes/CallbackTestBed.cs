using CallCenter.Agent.Web.Data;
using CallCenter.Callbacks.Execution;
using CallCenter.Callbacks.Policies;
using CallCenter.Callbacks.Queries;
using CallCenter.Callbacks.Requests;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CallCenter.Callbacks.Tests.Fakes;

/// <summary>
/// One node of the callback module over a real test database, built by AddCallbacks without Quartz (no connection
/// string), with a FAKE dialer and optionally a FAKE clock. Several beds on one database act as several nodes.
/// </summary>
public sealed class CallbackTestBed : IAsyncDisposable
{
    private readonly IHost _host;

    private CallbackTestBed(IHost host, NpgsqlDataSource db)
    {
        _host = host;
        Db = db;
    }

    public NpgsqlDataSource Db { get; }

    public IServiceProvider Services => _host.Services;

    public CallbackRequests Requests => Services.GetRequiredService<CallbackRequests>();

    public DialDispatcher Dispatcher => Services.GetRequiredService<DialDispatcher>();

    public Reconciler Reconciler => Services.GetRequiredService<Reconciler>();

    public CallbackQueries Queries => Services.GetRequiredService<CallbackQueries>();

    public static async Task<TestDatabase> MigratedDatabaseAsync()
    {
        var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        return db;
    }

    public static CallbackTestBed Create(NpgsqlDataSource db, ICallbackDialer? dialer, TimeProvider? time = null, string node = "node-a",
        IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Callbacks:NodeName"] = node });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddSingleton(db);
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        if (dialer is not null)
        {
            builder.Services.AddSingleton(dialer);
        }

        builder.AddCallbacks();
        return new CallbackTestBed(builder.Build(), db);
    }

    /// <summary>Sweeps until nothing more is claimed and every dial has finished (bounded).</summary>
    public async Task<int> SweepAllAsync()
    {
        var total = 0;
        for (var i = 0; i < 1000; i++)
        {
            var n = await Dispatcher.SweepAsync(CancellationToken.None);
            await Dispatcher.DrainAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            total += n;
            if (n == 0)
            {
                break;
            }
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await Dispatcher.DrainAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        _host.Dispose();
    }

    /// <summary>A customer with one verified preferred number; returns its id.</summary>
    public static async Task<long> AddCustomerAsync(NpgsqlDataSource db, string number, bool stopCalling = false, bool doNotCall = false)
    {
        await using var conn = await db.OpenConnectionAsync();
        var id = await conn.ExecuteScalarAsync<long>(
            "INSERT INTO customers (name, stop_calling, do_not_call) VALUES ('测试客户', @stopCalling, @doNotCall) RETURNING id", new { stopCalling, doNotCall });
        await conn.ExecuteAsync("INSERT INTO customer_phones (customer_id, number, is_preferred, verified) VALUES (@id, @number, true, true)", new { id, number });
        return id;
    }

    public static async Task<int> AddAgentAsync(NpgsqlDataSource db, string username)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("INSERT INTO agents (username, display_name) VALUES (@username, '坐席') RETURNING id", new { username });
    }

    public static async Task<long> AddRepairOrderAsync(NpgsqlDataSource db, long customerId, string status, DateTimeOffset? readyAt)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("""
            INSERT INTO repair_orders (order_no, customer_id, status, fault_description, ready_at)
            VALUES ('R' || floor(random() * 1e9)::bigint, @customerId, @status, '无法开机', @readyAt) RETURNING id
            """, new { customerId, status, readyAt = readyAt?.ToUniversalTime() });
    }

    /// <summary>Makes every scheduled attempt due now (tests do not wait for calling hours).</summary>
    public static async Task MakeAllDueAsync(NpgsqlDataSource db, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE callback_attempts SET not_before = @now WHERE state = 'scheduled'", new { now = now.ToUniversalTime().AddSeconds(-1) });
    }
}
