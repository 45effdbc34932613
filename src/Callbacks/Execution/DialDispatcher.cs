using CallCenter.Callbacks.Policies;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Callbacks.Execution;

/// <summary>
/// This node's dialing: claims due attempts up to the free dial slots and runs each on its own task, so the
/// Quartz job that wakes it stays short (claim → hand off → return). On shutdown it waits for calls in flight.
/// </summary>
public sealed partial class DialDispatcher : IHostedService, IDisposable
{
    // A sweep never runs longer than this, so a Quartz firing never outlives its cluster lock.
    private static readonly TimeSpan SweepBudget = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan SlotWait = TimeSpan.FromMilliseconds(250);
    private const int ClaimBatch = 100;

    private readonly NpgsqlDataSource _db;
    private readonly AttemptExecutor _executor;
    private readonly IServiceProvider _services;
    private readonly CallbacksOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DialDispatcher> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _sweepGate = new(1, 1);
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();
    private bool _warnedNoDialer;
    private double _tokens;
    private DateTimeOffset _refilledAt;

    public DialDispatcher(NpgsqlDataSource db, AttemptExecutor executor, IServiceProvider services, IOptions<CallbacksOptions> options,
        TimeProvider time, ILogger<DialDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _db = db;
        _executor = executor;
        _services = services;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.MaxConcurrentDials, _options.MaxConcurrentDials);
        NodeName = _options.NodeName ?? Environment.MachineName;
        _tokens = _options.MaxDialsPerSecond;
        _refilledAt = time.GetUtcNow();
    }

    public string NodeName { get; }

    public int InFlight => _inFlight.Count;

    /// <summary>Claims and starts due attempts until none are due, no slot is free or the budget is spent. Returns how many were claimed.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        if (!_options.Enabled)
        {
            return 0;
        }

        var dialer = _services.GetService<ICallbackDialer>();
        if (dialer is null)
        {
            // Never claim without a way to dial: the attempts stay scheduled until a dialer is configured.
            if (!_warnedNoDialer)
            {
                _warnedNoDialer = true;
                LogNoDialer(_logger);
            }

            return 0;
        }

        // Modes the dialer cannot place are left scheduled (null: it places them all).
        string[]? modes = null;
        if (!dialer.Dials(DialMode.AgentFirst) || !dialer.Dials(DialMode.Automated))
        {
            modes = [.. new[] { (DialMode.AgentFirst, "agent_first"), (DialMode.Automated, "automated") }.Where(m => dialer.Dials(m.Item1)).Select(m => m.Item2)];
            if (modes.Length == 0)
            {
                return 0;
            }
        }

        if (!await _sweepGate.WaitAsync(0, ct))
        {
            return 0;
        }

        try
        {
            var started = _time.GetTimestamp();
            var total = 0;
            while (_time.GetElapsedTime(started) < SweepBudget && !ct.IsCancellationRequested)
            {
                var free = _slots.CurrentCount;
                if (free == 0)
                {
                    // Short dials free their slots quickly: keep draining. A node busy with long calls ends the
                    // sweep instead, so the next firing can land on a node with free slots.
                    if (!await _slots.WaitAsync(SlotWait, ct))
                    {
                        break;
                    }

                    _slots.Release();
                    continue;
                }

                var allowed = TakeTokens(Math.Min(free, ClaimBatch));
                if (allowed == 0)
                {
                    // Dial-rate cap reached: the next firing continues (reliability.md L-5).
                    break;
                }

                var claimed = await AttemptClaims.ClaimDueAsync(_db, allowed, NodeName, _time.GetUtcNow(), ct, modes);
                ReturnTokens(allowed - claimed.Count);
                foreach (var attempt in claimed)
                {
                    await _slots.WaitAsync(ct);
                    _inFlight[attempt.Id] = RunAsync(attempt, dialer);
                }

                total += claimed.Count;
                if (claimed.Count == 0)
                {
                    break;
                }
            }

            return total;
        }
        finally
        {
            _sweepGate.Release();
        }
    }

    // Token bucket for Callbacks:MaxDialsPerSecond (0 = no cap); only touched inside the sweep gate.
    private int TakeTokens(int wanted)
    {
        if (_options.MaxDialsPerSecond <= 0)
        {
            return wanted;
        }

        var now = _time.GetUtcNow();
        _tokens = Math.Min(_options.MaxDialsPerSecond, _tokens + Math.Max(0, (now - _refilledAt).TotalSeconds) * _options.MaxDialsPerSecond);
        _refilledAt = now;
        var n = Math.Min(wanted, (int)_tokens);
        _tokens -= n;
        return n;
    }

    private void ReturnTokens(int unused)
    {
        if (_options.MaxDialsPerSecond > 0)
        {
            _tokens = Math.Min(_options.MaxDialsPerSecond, _tokens + unused);
        }
    }

    /// <summary>Waits until no dial of this node is in flight (tests and shutdown).</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        while (!_inFlight.IsEmpty)
        {
            await Task.WhenAll(_inFlight.Values.ToArray()).WaitAsync(ct);
        }
    }

    private async Task RunAsync(ClaimedAttempt attempt, ICallbackDialer dialer)
    {
        await Task.Yield();
        try
        {
            await _executor.ExecuteAsync(attempt, dialer, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Last line: one attempt's failure must not end the dispatcher; the reconciler flags what stayed 'dialing'.
            LogAttemptCrashed(_logger, ex, attempt.Id);
        }
        finally
        {
            _inFlight.TryRemove(attempt.Id, out _);
            _slots.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DrainAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogStoppedWithCalls(_logger, _inFlight.Count);
        }
    }

    public void Dispose()
    {
        _slots.Dispose();
        _sweepGate.Dispose();
    }

    [LoggerMessage(LogLevel.Warning, "No ICallbackDialer is registered: callback attempts stay scheduled and are not dialed")]
    private static partial void LogNoDialer(ILogger logger);

    [LoggerMessage(LogLevel.Error, "Attempt {AttemptId} failed unexpectedly")]
    private static partial void LogAttemptCrashed(ILogger logger, Exception ex, long attemptId);

    [LoggerMessage(LogLevel.Warning, "Stopped with {Count} callback dials in flight; they will be flagged unknown")]
    private static partial void LogStoppedWithCalls(ILogger logger, int count);
}
