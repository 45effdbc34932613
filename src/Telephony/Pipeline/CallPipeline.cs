using System.Collections.Concurrent;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Screening;
using CallCenter.Telephony.Transcription;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Pipeline;

/// <summary>
/// The live pipeline behind <see cref="ICallAudioSink"/>. On the RTP path it only runs the leg's voice-activity
/// detector (microseconds per packet, under the leg's own lock) and queues finished utterances; one worker per call
/// transcribes them in order (agent first), redacts, stores, screens and raises alerts and promises. After both legs end
/// the worker drains what is left, stores the required-phrase results and marks the transcript complete or failed.
/// </summary>
public sealed partial class CallPipeline : ICallAudioSink, IAsyncDisposable
{
    private static readonly TimeSpan FinishedMemory = TimeSpan.FromMinutes(2);
    private readonly ConcurrentDictionary<Guid, CallWorker> _calls = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly PipelineOptions _options;
    private readonly CallWorkerServices _services;
    private readonly ILogger<CallPipeline> _logger;
    private int _disposed;

    public CallPipeline(IOptions<PipelineOptions> options, ITranscriber transcriber, TranscriptionStatus transcription, ScreeningService screening,
        TranscriptStore store, CallEventBus bus, PipelineMetrics metrics, TimeProvider time, ILogger<CallPipeline> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transcription);
        _options = options.Value;
        _logger = logger;
        var enabled = _options.Enabled && transcription.Mode != TranscriptionMode.Off;
        _services = new CallWorkerServices(_options, enabled, transcriber, screening, store, bus, metrics, time,
            new HallucinationFilter(_options), new SemaphoreSlim(_options.MaxConcurrentTranscriptions), logger);
    }

    /// <summary>Calls whose worker is still running (tests and shutdown wait on these).</summary>
    public int ActiveCalls => _calls.Values.Count(w => !w.Completion.IsCompleted);

    public void OnAudio(Guid callId, CallLeg leg, long sampleOffset, ReadOnlySpan<short> pcm8k)
    {
        try
        {
            Worker(callId)?.OnAudio(leg, sampleOffset, pcm8k);
        }
        catch (Exception ex)
        {
            // The RTP path must never see an exception from us.
            LogAudioFailed(ex, callId, leg);
        }
    }

    public void OnLegEnded(Guid callId, CallLeg leg)
    {
        try
        {
            Worker(callId)?.OnLegEnded(leg);
        }
        catch (Exception ex)
        {
            LogAudioFailed(ex, callId, leg);
        }
    }

    /// <summary>Waits until the call's transcript is final (complete or failed); false if it is not done in time.</summary>
    public async Task<bool> WaitForCallAsync(Guid callId, TimeSpan timeout)
    {
        if (!_calls.TryGetValue(callId, out var worker))
        {
            return false;
        }

        var done = await Task.WhenAny(worker.Completion, Task.Delay(timeout)).ConfigureAwait(false);
        return done == worker.Completion;
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as ICallAudioSink, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_calls.Values.Select(w => w.Completion)).ConfigureAwait(false);
        _stopping.Dispose();
        _services.Concurrency.Dispose();
    }

    private CallWorker? Worker(Guid callId)
    {
        if (_stopping.IsCancellationRequested)
        {
            return null;
        }

        if (_calls.TryGetValue(callId, out var existing))
        {
            return existing;
        }

        Prune();
        var worker = _calls.GetOrAdd(callId, id => new CallWorker(id, _services));
        worker.StartOnce(_stopping.Token);
        return worker;
    }

    /// <summary>Forgets calls finished a while ago; until then late audio of a finished call is ignored, not a new transcript.</summary>
    private void Prune()
    {
        var now = _services.Time.GetUtcNow();
        foreach (var (id, worker) in _calls)
        {
            if (worker.FinishedAt is { } at && now - at > FinishedMemory)
            {
                _calls.TryRemove(id, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline failed to take audio for call {CallId} leg {Leg}")]
    private partial void LogAudioFailed(Exception ex, Guid callId, CallLeg leg);
}
