using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CallCenter.Telephony.Screening;

/// <summary>
/// Syncs the rule files into the database at start (after the host's migrations) and reloads the rows periodically.
/// Without a database, or while it is unreachable, screening keeps running on the last good rule set.
/// </summary>
internal sealed partial class ScreeningRuleSync(IServiceProvider services, ScreeningService screening, ILogger<ScreeningRuleSync> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Store() is { } store)
        {
            try
            {
                await store.SyncAsync(screening.Catalog.FileRules, cancellationToken);
                await LoadAsync(store, cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                LogDatabaseUnavailable(logger, ex);
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Store() is not { } store || screening.Options.ReloadSeconds == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(screening.Options.ReloadSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await LoadAsync(store, stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                LogDatabaseUnavailable(logger, ex);
            }
        }
    }

    private ScreeningRuleStore? Store() =>
        screening.Options.UseDatabaseRules && services.GetService<NpgsqlDataSource>() is { } db
            ? new ScreeningRuleStore(db, services.GetRequiredService<ILogger<ScreeningRuleStore>>())
            : null;

    private async Task LoadAsync(ScreeningRuleStore store, CancellationToken ct)
    {
        var rules = await store.LoadAsync(screening.Catalog.Normalizer, ct);
        screening.Replace(rules, "database");
        LogLoaded(logger, rules.Count(r => r.Enabled));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Screening runs on {Count} enabled database rules")]
    private static partial void LogLoaded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Screening rules could not be read from the database; the current rule set stays in use")]
    private static partial void LogDatabaseUnavailable(ILogger logger, Exception ex);
}
