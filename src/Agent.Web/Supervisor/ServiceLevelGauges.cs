using System.Diagnostics.Metrics;
using Npgsql;

namespace CallCenter.Agent.Web.Supervisor;

/// <summary>
/// The wallboard's service-level figures as gauges per line (tag "line") on the meter "CallCenter.Web". Scrapes read
/// the last figures in memory; the database is asked once every <see cref="RefreshInterval"/>, not per scrape.
/// </summary>
public sealed partial class ServiceLevelGauges : BackgroundService
{
    public const string MeterName = "CallCenter.Web";
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(15);
    private readonly NpgsqlDataSource _db;
    private readonly TimeProvider _time;
    private readonly ILogger<ServiceLevelGauges> _logger;
    private IReadOnlyList<QueueStats> _latest = [];

    public ServiceLevelGauges(NpgsqlDataSource db, IMeterFactory meters, TimeProvider time, ILogger<ServiceLevelGauges> logger)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _db = db;
        _time = time;
        _logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("callcenter.queue.waiting", () => Each(q => q.Waiting), description: "Callers waiting in the queue now");
        meter.CreateObservableGauge("callcenter.queue.longest_wait", () => Each(q => q.LongestWaitSeconds), unit: "s", description: "Longest current wait");
        meter.CreateObservableGauge("callcenter.queue.offered", () => Each(q => q.Offered), description: "Calls that left the queue today");
        meter.CreateObservableGauge("callcenter.queue.abandoned", () => Each(q => q.Abandoned), description: "Callers who hung up in the queue today");
        meter.CreateObservableGauge("callcenter.queue.service_level", () => Each(q => q.ServiceLevel), description: "Share answered within the line's target today");
        meter.CreateObservableGauge("callcenter.queue.answer_rate", () => Each(q => q.AnswerRate), description: "Share answered by an agent today (goal 0.85)");
        meter.CreateObservableGauge("callcenter.queue.average_wait", () => Each(q => q.AverageWaitSeconds), unit: "s", description: "Average wait today");
        meter.CreateObservableGauge("callcenter.queue.closed_calls", () => Each(q => q.ClosedCalls), description: "Calls that found the line closed today");
    }

    /// <summary>Reads the figures now (also done every <see cref="RefreshInterval"/>).</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        Volatile.Write(ref _latest, await ServiceLevel.QueuesAsync(conn, ct));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval, _time);
        try
        {
            do
            {
                try
                {
                    await RefreshAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    LogRefreshFailed(ex); // the gauges keep the last figures
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private IEnumerable<Measurement<double>> Each(Func<QueueStats, double?> figure)
    {
        foreach (var q in Volatile.Read(ref _latest))
        {
            if (figure(q) is { } value)
            {
                yield return new Measurement<double>(value, new KeyValuePair<string, object?>("line", q.Code));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service-level figures could not be read; the gauges keep the last ones")]
    private partial void LogRefreshFailed(Exception ex);
}
