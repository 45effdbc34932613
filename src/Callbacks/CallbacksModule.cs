using CallCenter.Callbacks.Execution;
using CallCenter.Callbacks.Policies;
using CallCenter.Callbacks.Queries;
using CallCenter.Callbacks.Requests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace CallCenter.Callbacks;

public static class CallbacksModule
{
    /// <summary>
    /// Registers the callback scheduler: options (validated at start), request creation, dial-time checks and
    /// execution, reconciler, queries, and Quartz (PostgreSQL store, clustered, schema provisioned, System.Text.Json)
    /// when ConnectionStrings:CallCenter is set. Needs an <c>NpgsqlDataSource</c> and, to dial, an <see cref="ICallbackDialer"/>.
    /// </summary>
    public static IHostApplicationBuilder AddCallbacks(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var nodeName = builder.Configuration["Node:Name"];
        builder.Services.AddOptions<CallbacksOptions>()
            .BindConfiguration(CallbacksOptions.Section)
            .PostConfigure(o => o.NodeName ??= nodeName ?? Environment.MachineName)
            .ValidateDataAnnotations()
            .Validate(o => o.CallingHoursStart < o.CallingHoursEnd, "Callbacks:CallingHoursStart must be before Callbacks:CallingHoursEnd.")
            .Validate(o => TryFindZone(o.DefaultTimeZone), "Callbacks:DefaultTimeZone is not a known IANA time zone.")
            .ValidateOnStart();

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<CallbacksMetrics>();
        services.AddSingleton<PolicyCatalog>();
        services.AddSingleton<CallbackRequests>();
        services.AddSingleton<OutcomeRecorder>();
        services.AddSingleton<AttemptExecutor>();
        services.AddSingleton<DialDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<DialDispatcher>());
        services.AddSingleton<Reconciler>();
        services.AddSingleton<CallbackQueries>();

        var connectionString = builder.Configuration.GetConnectionString("CallCenter");
        var enabled = builder.Configuration.GetValue<bool?>($"{CallbacksOptions.Section}:Enabled") ?? true;
        if (!string.IsNullOrWhiteSpace(connectionString) && enabled)
        {
            AddScheduler(builder, connectionString);
        }

        return builder;
    }

    private static void AddScheduler(IHostApplicationBuilder builder, string connectionString)
    {
        var section = builder.Configuration.GetSection(CallbacksOptions.Section);
        var sweepMs = Math.Clamp(section.GetValue<int?>(nameof(CallbacksOptions.SweepIntervalMilliseconds)) ?? 1000, 200, 60_000);
        var reconcileS = Math.Clamp(section.GetValue<int?>(nameof(CallbacksOptions.ReconcileIntervalSeconds)) ?? 30, 1, 3600);
        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                // Every node uses the same name (one cluster); clustering gives each node its own instance id.
                o.InstanceName = "CallCenter.Callbacks";
                o.IdleWaitTime = TimeSpan.FromSeconds(1);
            });
            q.UsePersistentStore(s =>
            {
                s.UsePostgres(connectionString);
                s.UseSystemTextJsonSerializer();
                s.UseClustering();
                s.ProvisionSchema();
            });
            // Job data is empty: the attempt rows are the truth. No recovery re-run after a crash (reliability.md §3.8).
            q.AddJob<DialSweepJob>(j => j.WithIdentity(DialSweepJob.Key).StoreDurably().RequestRecovery(false));
            q.AddTrigger(t => t.ForJob(DialSweepJob.Key).WithIdentity("dial-sweep", "callbacks").StartNow()
                .WithSimpleSchedule(x => x.WithInterval(TimeSpan.FromMilliseconds(sweepMs)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow)));
            q.AddJob<ReconcileJob>(j => j.WithIdentity(ReconcileJob.Key).StoreDurably().RequestRecovery(false));
            q.AddTrigger(t => t.ForJob(ReconcileJob.Key).WithIdentity("reconcile", "callbacks").StartNow()
                .WithSimpleSchedule(x => x.WithInterval(TimeSpan.FromSeconds(reconcileS)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow)));
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
    }

    private static bool TryFindZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);
}
