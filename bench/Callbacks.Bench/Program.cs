using System.Diagnostics;
using System.Globalization;
using CallCenter.Agent.Web.Data;
using CallCenter.Callbacks;
using CallCenter.Callbacks.Bench;
using CallCenter.Callbacks.Execution;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

// Usage: CALLCENTER_TEST_DB='Host=…;Username=…;Database=postgres' dotnet run -c Release --project bench/Callbacks.Bench [runs] [burst] [steady] [steadySeconds]
// Each run uses a fresh database, a clustered Quartz node with the PostgreSQL store and a FAKE dialer that answers at once.
var server = Environment.GetEnvironmentVariable("CALLCENTER_TEST_DB") ?? throw new InvalidOperationException("set CALLCENTER_TEST_DB");
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var burst = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var steady = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000;
var steadySeconds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;

var results = new List<(string Scenario, Stats Stats)>();
for (var run = 1; run <= runs; run++)
{
    results.Add(("burst", await RunAsync(server, burst, TimeSpan.Zero)));
    results.Add(("steady", await RunAsync(server, steady, TimeSpan.FromSeconds(steadySeconds))));
    Console.Error.WriteLine($"run {run}: {results[^2].Stats} | {results[^1].Stats}");
}

foreach (var scenario in new[] { "burst", "steady" })
{
    var s = results.Where(r => r.Scenario == scenario).Select(r => r.Stats).ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {scenario} | {s[0].Count} | {Median(s.Select(x => x.P50))} | {Median(s.Select(x => x.P95))} | {Median(s.Select(x => x.Max))} | {Median(s.Select(x => x.PerSecond))} | {string.Join(" / ", s.Select(x => x.P95))} |"));
}

return 0;

static double Median(IEnumerable<double> values)
{
    var v = values.Order().ToArray();
    return Math.Round(v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2, 2);
}

static async Task<Stats> RunAsync(string server, int count, TimeSpan spread)
{
    var name = "bench_" + Guid.NewGuid().ToString("N")[..12];
    await using (var admin = new NpgsqlConnection(server))
    {
        await admin.OpenAsync();
        await admin.ExecuteAsync("CREATE DATABASE " + name);
    }

    var cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    try
    {
        await using var db = NpgsqlDataSource.Create(cs);
        await new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var conn = await db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("DELETE FROM business_hours");   // the bench runs at any hour
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:CallCenter"] = cs,
            ["Callbacks:NodeName"] = "bench",
            ["Callbacks:CallingHoursStart"] = "00:00:00",
            ["Callbacks:CallingHoursEnd"] = "23:59:59.9999999",
            ["Callbacks:MaxConcurrentDials"] = Environment.GetEnvironmentVariable("BENCH_MAX_CONCURRENT_DIALS") ?? "20",
        });
        builder.Logging.AddFilter(_ => false);
        builder.Services.AddSingleton(db);
        builder.Services.AddSingleton<ICallbackDialer, InstantFakeDialer>();
        builder.AddCallbacks();
        using var host = builder.Build();
        await host.StartAsync();

        // Rows inserted in bulk: the scheduler, not request creation, is what is measured.
        var first = DateTimeOffset.UtcNow.AddSeconds(5);
        await using (var conn = await db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                INSERT INTO callbacks (kind, source_type, source_id, destination, due_at, created_by)
                SELECT 'manual', 'manual', 'bench-' || g, '135' || lpad(g::text, 8, '0'),
                       @first + (g - 1) * @step * interval '1 millisecond', 'bench'
                FROM generate_series(1, @count) g;
                INSERT INTO callback_attempts (callback_id, attempt_no, not_before) SELECT id, 1, due_at FROM callbacks;
                """, new { first = first.UtcDateTime, count, step = count > 1 ? spread.TotalMilliseconds / (count - 1) : 0 });
        }

        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromMinutes(10))
        {
            await using var conn = await db.OpenConnectionAsync();
            if (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM callback_attempts WHERE state IN ('scheduled','dialing')") == 0)
            {
                break;
            }

            await Task.Delay(200);
        }

        await host.StopAsync();
        await using (var conn = await db.OpenConnectionAsync())
        {
            var delays = (await conn.QueryAsync<double>(
                "SELECT extract(epoch FROM dial_started_at - not_before)::float8 FROM callback_attempts WHERE dial_started_at IS NOT NULL ORDER BY 1")).ToArray();
            var dupes = await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM callback_attempts WHERE attempt_no > 1");
            var span = await conn.ExecuteScalarAsync<double>(
                "SELECT extract(epoch FROM max(outcome_at) - min(dial_started_at))::float8 FROM callback_attempts");
            if (delays.Length != count || dupes != 0)
            {
                throw new InvalidOperationException($"expected {count} dials once each, got {delays.Length} ({dupes} extra rows)");
            }

            return new Stats(count, P(delays, 0.50), P(delays, 0.95), Math.Round(delays[^1], 2), Math.Round(count / Math.Max(span, 0.001), 1));
        }
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await admin.ExecuteAsync("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
}

static double P(double[] sorted, double q) => Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)], 2);
