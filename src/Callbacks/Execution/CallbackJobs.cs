using Quartz;

namespace CallCenter.Callbacks.Execution;

/// <summary>
/// Quartz wakes the dial sweep; the attempt rows stay the truth (reliability.md §3). Only one node sweeps at a
/// time, the claim makes a re-fired or recovered firing harmless, and the job returns as soon as calls are handed off.
/// </summary>
[DisallowConcurrentExecution]
public sealed class DialSweepJob(DialDispatcher dispatcher) : IJob
{
    public static readonly JobKey Key = new("dial-sweep", "callbacks");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await dispatcher.SweepAsync(cancellationToken);
}

/// <summary>Unknown outcomes, SLA escalation and promise reminders, on a slower beat.</summary>
[DisallowConcurrentExecution]
public sealed class ReconcileJob(Reconciler reconciler) : IJob
{
    public static readonly JobKey Key = new("reconcile", "callbacks");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await reconciler.RunAsync(cancellationToken);
}
