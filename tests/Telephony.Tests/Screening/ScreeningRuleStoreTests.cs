using CallCenter.Agent.Web.Data;
using CallCenter.Telephony.Screening;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>The rule files synced into screening_rules on a real PostgreSQL, and the engine run from the rows.</summary>
[Collection(ScreeningGroup.Name)]
public sealed class ScreeningRuleStoreTests(ScreeningFixture fixture)
{
    [PostgresFact]
    public async Task TheFirstSyncInsertsEveryFileRuleAndTheSecondChangesNothing()
    {
        await using var db = await MigratedDatabaseAsync();
        var store = new ScreeningRuleStore(db.DataSource, NullLogger<ScreeningRuleStore>.Instance);
        var rules = fixture.Catalog.FileRules;

        (await store.SyncAsync(rules, CancellationToken.None)).ShouldBe(new RuleSyncResult(rules.Count, 0, 0, 0));
        (await store.SyncAsync(rules, CancellationToken.None)).ShouldBe(new RuleSyncResult(0, 0, rules.Count, 0));

        await using var conn = await db.DataSource.OpenConnectionAsync();
        (await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM screening_rules WHERE kind = 'taboo'")).ShouldBe(86);
        var tb44 = await conn.QuerySingleAsync<(string Pattern, string Mode, string Source, string UpdatedBy)>(
            "SELECT pattern, match_mode, source, updated_by FROM screening_rules WHERE code = 'TB44'");
        tb44.ShouldBe(("一定是.{0,10}错了 / 他们经常错", "gap", "003 L1069 (E); dialogue L1035", ScreeningRuleStore.SeedAuthor));
    }

    [PostgresFact]
    public async Task ANewerFileVersionUpdatesSeededRowsButNeverAnAdminsEdit()
    {
        await using var db = await MigratedDatabaseAsync();
        var store = new ScreeningRuleStore(db.DataSource, NullLogger<ScreeningRuleStore>.Instance);
        await store.SyncAsync(fixture.Catalog.FileRules, CancellationToken.None);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("UPDATE screening_rules SET replacement = '管理员的措辞', version = version + 1, updated_by = 'qa.li' WHERE code = 'TB02'");
        }

        var newer = fixture.Catalog.FileRules
            .Where(r => r.Code is "TB02" or "TB03")
            .Select(r => r with { Version = 5, Replacement = "文件的新措辞" })
            .ToList();
        (await store.SyncAsync(newer, CancellationToken.None)).ShouldBe(new RuleSyncResult(0, 1, 0, 1));

        await using var check = await db.DataSource.OpenConnectionAsync();
        var rows = (await check.QueryAsync<(string Code, string Replacement, int Version, string UpdatedBy)>(
            "SELECT code, replacement, version, updated_by FROM screening_rules WHERE code IN ('TB02','TB03') ORDER BY code")).ToList();
        rows[0].ShouldBe(("TB02", "管理员的措辞", 2, "qa.li"));
        rows[1].ShouldBe(("TB03", "文件的新措辞", 5, ScreeningRuleStore.SeedAuthor));
    }

    [PostgresFact]
    public async Task TheEngineRunsFromTheRowsSoAdminEditsApplyAndABadRowIsSkipped()
    {
        await using var db = await MigratedDatabaseAsync();
        var store = new ScreeningRuleStore(db.DataSource, NullLogger<ScreeningRuleStore>.Instance);
        await store.SyncAsync(fixture.Catalog.FileRules, CancellationToken.None);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("UPDATE screening_rules SET enabled = false, updated_by = 'qa.li', version = 2 WHERE code = 'TB02'");
            await conn.ExecuteAsync("UPDATE screening_rules SET pattern = '规定就是这样 / 规矩就是这样', updated_by = 'qa.li', version = 2 WHERE code = 'TB07'");
            await conn.ExecuteAsync("UPDATE screening_rules SET pattern = '(没有闭合', updated_by = 'qa.li', version = 2 WHERE code = 'TB13'");
        }

        var rules = await store.LoadAsync(fixture.Catalog.Normalizer, CancellationToken.None);
        rules.ShouldNotContain(r => r.Code == "TB13");
        rules.ShouldAllBe(r => r.Id != null);
        var engine = fixture.Catalog.CreateEngine(rules);

        engine.Screen("这是常有的事", Speaker.Agent).ShouldNotContain(h => h.Code == "TB02");
        var hit = engine.Screen("我们的规矩就是这样", Speaker.Agent).ShouldHaveSingleItem();
        hit.Code.ShouldBe("TB07");
        hit.Version.ShouldBe(2);
        hit.RuleId.ShouldNotBeNull();
        engine.Screen("这是厂家的事", Speaker.Agent).Select(h => h.Code).ShouldContain("TB01");
    }

    private static async Task<TestDatabase> MigratedDatabaseAsync()
    {
        var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        return db;
    }
}
