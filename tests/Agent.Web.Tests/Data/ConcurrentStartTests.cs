using System.Net;
using CallCenter.Agent.Web.Data;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Data;

public sealed class ConcurrentStartTests
{
    [PostgresFact]
    public async Task TwoHostsStartingTogetherOnAnEmptyDatabaseMigrateAndSeedOnce()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var first = new CallCenterFactory(db.ConnectionString);
        await using var second = new CallCenterFactory(db.ConnectionString);

        // CreateClient starts each host; both run their migrations and demo seeding at the same moment.
        var clients = await Task.WhenAll(Task.Run(first.CreateClient), Task.Run(second.CreateClient));
        foreach (var client in clients)
        {
            (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
            client.Dispose();
        }

        (await Scalar(db, "SELECT count(*) FROM schema_migrations")).ShouldBe(Migrator.Scripts.Count);
        (await Scalar(db, "SELECT count(*) FROM customers")).ShouldBe(4);
        (await Scalar(db, "SELECT count(*) FROM agents")).ShouldBe(6);
        (await Scalar(db, "SELECT count(*) FROM product_categories")).ShouldBe(5);
    }

    private static async Task<long> Scalar(TestDatabase db, string sql)
    {
        await using var cmd = db.DataSource.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
