using CallCenter.Agent.Web.Data;
using CallCenter.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CallCenter.Agent.Web.Tests.Data;

public sealed class MigratorTests
{
    [PostgresFact]
    public async Task MigrationsApplyToAnEmptyDatabaseAndReapplyAsANoOp()
    {
        await using var db = await TestDatabase.CreateAsync();
        var migrator = new Migrator(db.DataSource, NullLogger<Migrator>.Instance);

        var first = await migrator.MigrateAsync(CancellationToken.None);
        var second = await migrator.MigrateAsync(CancellationToken.None);

        first.ShouldBe(Migrator.Scripts.Select(s => s.Version).ToList());
        second.ShouldBeEmpty();
        (await Count(db.DataSource, "SELECT count(*) FROM schema_migrations")).ShouldBe(Migrator.Scripts.Count);
        (await Count(db.DataSource, "SELECT count(*) FROM product_categories")).ShouldBeGreaterThan(0);
    }

    [PostgresFact]
    public async Task MigrationsCoverTheWholeDomain()
    {
        await using var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);

        string[] expected =
        [
            "customers", "customer_phones", "purchases", "product_categories", "accessory_terms", "repair_orders",
            "complaints", "toll_free_numbers", "service_lines", "agents", "agent_skills", "agent_registrations",
            "calls", "call_legs", "recordings", "transcript_segments", "screening_rules", "screening_hits",
            "blocking_rules", "blocking_decisions", "callbacks", "callback_attempts", "qa_samples", "qa_evaluations",
            "audit_log", "calendar_days", "settings", "sla_timers",
        ];
        await using var cmd = db.DataSource.CreateCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
        var tables = new HashSet<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        expected.Where(t => !tables.Contains(t)).ShouldBeEmpty();
    }

    [PostgresFact]
    public async Task TwoHostsMigratingAtOnceApplyEachScriptExactlyOnce()
    {
        await using var db = await TestDatabase.CreateAsync();
        // Separate data sources stand in for two processes: each has its own connections.
        await using var a = NpgsqlDataSource.Create(db.ConnectionString);
        await using var b = NpgsqlDataSource.Create(db.ConnectionString);
        var runs = await Task.WhenAll(
            Task.Run(() => new Migrator(a, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None)),
            Task.Run(() => new Migrator(b, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None)));

        runs.Sum(r => r.Count).ShouldBe(Migrator.Scripts.Count);
        (await Count(db.DataSource, "SELECT count(*) FROM schema_migrations")).ShouldBe(Migrator.Scripts.Count);
        (await Count(db.DataSource, "SELECT count(*) FROM product_categories")).ShouldBe(5);
    }

    [PostgresFact]
    public async Task TheAuditLogRefusesUpdatesAndDeletes()
    {
        await using var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var insert = db.DataSource.CreateCommand("INSERT INTO audit_log (actor, action) VALUES ('test', 'login')"))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await using var update = db.DataSource.CreateCommand("UPDATE audit_log SET actor = 'someone else'");
        var ex = await Should.ThrowAsync<PostgresException>(() => update.ExecuteNonQueryAsync());
        ex.MessageText.ShouldContain("append-only");
    }

    private static async Task<long> Count(NpgsqlDataSource ds, string sql)
    {
        await using var cmd = ds.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
