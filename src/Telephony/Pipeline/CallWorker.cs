using System.Threading.Channels;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Screening;
using CallCenter.Telephony.Transcription;
using CallCenter.Telephony.Transcription.Audio;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Pipeline;

/// <summary>What every call's worker shares.</summary>
internal sealed record CallWorkerServices(PipelineOptions Options, bool Enabled, ITranscriber Transcriber, ScreeningService Screening,
    TranscriptStore Store, CallEventBus Bus, PipelineMetrics Metrics, TimeProvider Time, HallucinationFilter Filter,
    SemaphoreSlim Concurrency, ILogger Logger);

/// <summary>One call: per-leg detectors and queues fed from the RTP path, and the task that works through them.</summary>
internal sealed partial class CallWorker(Guid callId, CallWorkerServices s)
{
    private readonly Leg _customer = new(CallLeg.Customer, s.Options);
    private readonly Leg _agent = new(CallLeg.Agent, s.Options);
    // A wake-up flag, not a count: one pending signal is enough for the worker to look at every queue.
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<int, long> _segmentOfUtterance = [];
    private readonly Lock _startGate = new();
    private Task? _run;
    private int _failures;
    private int _stored;

    public Task Completion => _run ?? Task.CompletedTask;

    public DateTimeOffset? FinishedAt { get; private set; }

    public void StartOnce(CancellationToken stopping)
    {
        lock (_startGate)
        {
            _run ??= Task.Run(() => RunAsync(stopping), CancellationToken.None);
        }
    }

    public void OnAudio(CallLeg leg, long sampleOffset, ReadOnlySpan<short> pcm8k)
    {
        var l = LegOf(leg);
        lock (l.Gate)
        {
            l.Seen = true;
            if (l.Ended || !s.Enabled)
            {
                return;
            }

            l.Vad.Process(sampleOffset, pcm8k, span => Enqueue(l, span));
        }
    }

    public void OnLegEnded(CallLeg leg)
    {
        var l = LegOf(leg);
        lock (l.Gate)
        {
            if (l.Ended)
            {
                return;
            }

            l.Seen = true;
            l.Vad.Flush(span => Enqueue(l, span));
            l.Ended = true;
        }

        _signal.Writer.TryWrite(true);
    }

    private Leg LegOf(CallLeg leg) => leg == CallLeg.Agent ? _agent : _customer;

    private void Enqueue(Leg l, SpeechSpan span)
    {
        s.Metrics.Utterance(l.Queue.Leg);
        var outcome = l.Queue.Enqueue(new Utterance(l.Queue.Leg, span.StartSample, span.Pcm8k, s.Time.GetTimestamp()), out var dropped);
        if (outcome != EnqueueOutcome.Queued)
        {
            s.Metrics.Overload(l.Queue.Leg, outcome);
            if (dropped is not null)
            {
                l.Dropped.Enqueue(dropped);
            }
        }

        _signal.Writer.TryWrite(true);
    }

    private bool Finished => Done(_customer) && Done(_agent) && (_customer.Seen || _agent.Seen);

    private static bool Done(Leg l)
    {
        lock (l.Gate)
        {
            return (!l.Seen || l.Ended) && l.Queue.Count == 0;
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            if (!s.Enabled)
            {
                await s.Store.SetStatusAsync(callId, "off", ct).ConfigureAwait(false);
                return;
            }

            await s.Store.SetStatusAsync(callId, "live", ct).ConfigureAwait(false);
            var caller = await s.Store.CallerNumberAsync(callId, ct).ConfigureAwait(false);
            var session = s.Screening.NewCall();
            while (true)
            {
                await _signal.Reader.ReadAsync(ct).ConfigureAwait(false);
                // Agent first: its screening is what supervisors wait for.
                while (_agent.Queue.TryDequeue(out var u) || _customer.Queue.TryDequeue(out u))
                {
                    await HandleAsync(u, caller, session, ct).ConfigureAwait(false);
                }

                while (_customer.Dropped.TryDequeue(out var gap))
                {
                    await StoreFailedAsync(gap, "dropped under overload", ct).ConfigureAwait(false);
                }

                if (Finished)
                {
                    break;
                }
            }

            await FinishAsync(session, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Host stopping: the call stays 'live' and the restart's recovery marks it (reliability.md).
        }
        catch (Exception ex)
        {
            LogCallFailed(s.Logger, ex, callId);
            await TrySetFailedAsync().ConfigureAwait(false);
        }
        finally
        {
            FinishedAt = s.Time.GetUtcNow();
        }
    }

    private async Task HandleAsync(Utterance u, string? caller, CallScreeningSession session, CancellationToken ct)
    {
        var leg = LegOf(u.Leg);
        s.Metrics.Lag(u.Leg, s.Time.GetElapsedTime(u.EnqueuedAtTimestamp));
        var samples = new float[u.Pcm8k.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = u.Pcm8k[i] / 32768f;
        }

        TranscriptionResult result;
        await s.Concurrency.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            result = await s.Transcriber.TranscribeAsync(Resampler.Upsample8kTo16k(samples), new TranscribeRequest(), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            result = TranscriptionResult.Failed(ex.GetType().Name);
        }
        finally
        {
            s.Concurrency.Release();
        }

        if (!result.Succeeded)
        {
            await StoreFailedAsync(u, result.Error ?? "failed", ct).ConfigureAwait(false);
            return;
        }

        var kept = result.Segments.Where(seg => !s.Filter.IsSuspect(seg)).ToList();
        var suspect = kept.Count == 0;
        var text = string.Concat((suspect ? result.Segments : kept).Select(seg => seg.Text.Trim()));
        if (u.StartSample < leg.LastEnd)
        {
            text = DropRepeatedPrefix(leg.LastText, text);
        }

        leg.LastEnd = u.EndSample;
        if (text.Length == 0)
        {
            return; // Whisper heard nothing: no row, nothing to screen.
        }

        leg.LastText = text;
        if (suspect)
        {
            s.Metrics.Suspect(u.Leg);
        }

        var source = suspect ? result.Segments : kept;
        var avgLogProb = source.Average(seg => seg.AvgLogProb);
        var redacted = s.Screening.Redactor.Redact(text, caller).Text;
        var segmentId = await s.Store.InsertSegmentAsync(new SegmentRow(callId, u.Leg, leg.Seq++, u.StartMs, u.EndMs, redacted, result.Language,
            avgLogProb, source.Max(seg => seg.NoSpeechProb), Math.Exp(avgLogProb), s.Transcriber.GetType().Name, suspect, false), ct).ConfigureAwait(false);
        _stored++;
        if (!suspect)
        {
            await ScreenAsync(u, segmentId, redacted, session, ct).ConfigureAwait(false);
        }
    }

    private async Task ScreenAsync(Utterance u, long segmentId, string text, CallScreeningSession session, CancellationToken ct)
    {
        var result = session.Add(u.Leg == CallLeg.Agent ? Speaker.Agent : Speaker.Customer, text);
        _segmentOfUtterance[result.Index] = segmentId;
        if (result.Hits.Count > 0)
        {
            var duration = u.EndMs - u.StartMs;
            await s.Store.InsertHitsAsync(callId, segmentId, u.Leg,
                result.Hits.Select(h => (h, u.StartMs + (int)((long)duration * h.Start / Math.Max(1, text.Length)))), ct).ConfigureAwait(false);
            s.Metrics.HitLatency(s.Time.GetElapsedTime(u.EnqueuedAtTimestamp));
        }

        if (result.Escalated is { } escalation)
        {
            await s.Store.InsertEscalationAsync(callId, segmentId, escalation, ct).ConfigureAwait(false);
            LogEscalated(s.Logger, callId, escalation.Level);
        }

        if (u.Leg == CallLeg.Agent)
        {
            var now = s.Time.GetUtcNow();
            foreach (var p in s.Screening.Promises.Extract(text, now))
            {
                s.Bus.Publish(new PromiseDetected(callId, now, p.Code, p.Sentence, p.TimeText, p.DueAt, segmentId));
            }
        }
    }

    private async Task StoreFailedAsync(Utterance u, string reason, CancellationToken ct)
    {
        _failures++;
        s.Metrics.Failure(u.Leg);
        LogUtteranceFailed(s.Logger, callId, u.Leg, u.StartMs, reason);
        var leg = LegOf(u.Leg);
        await s.Store.InsertSegmentAsync(new SegmentRow(callId, u.Leg, leg.Seq++, u.StartMs, u.EndMs, string.Empty, null, null, null, null,
            s.Transcriber.GetType().Name, false, true), ct).ConfigureAwait(false);
    }

    private async Task FinishAsync(CallScreeningSession session, CancellationToken ct)
    {
        if (_agent.Seen)
        {
            var results = session.RequiredResults()
                .Select(r => (r, r.UtteranceIndex is { } i && _segmentOfUtterance.TryGetValue(i, out var id) ? id : (long?)null));
            await s.Store.SaveRequiredResultsAsync(callId, results, ct).ConfigureAwait(false);
        }

        // A transcript with a failed utterance is not complete: say so rather than look whole.
        await s.Store.SetStatusAsync(callId, _failures > 0 ? "failed" : "complete", ct).ConfigureAwait(false);
        LogFinished(s.Logger, callId, _stored, _failures);
    }

    private async Task TrySetFailedAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await s.Store.SetStatusAsync(callId, "failed", cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogCallFailed(s.Logger, ex, callId);
        }
    }

    /// <summary>After a length cut the next utterance repeats the overlap; drop the words already in the previous text.</summary>
    internal static string DropRepeatedPrefix(string previous, string next)
    {
        for (var n = Math.Min(12, Math.Min(previous.Length, next.Length)); n >= 2; n--)
        {
            if (previous.AsSpan(previous.Length - n).SequenceEqual(next.AsSpan(0, n)))
            {
                return next[n..];
            }
        }

        return next;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transcription of call {CallId} leg {Leg} at {StartMs} ms failed: {Reason}")]
    private static partial void LogUtteranceFailed(ILogger logger, Guid callId, CallLeg leg, int startMs, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pipeline of call {CallId} failed")]
    private static partial void LogCallFailed(ILogger logger, Exception ex, Guid callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId} escalated to {Level}")]
    private static partial void LogEscalated(ILogger logger, Guid callId, string level);

    [LoggerMessage(Level = LogLevel.Information, Message = "Transcript of call {CallId} final: {Segments} segments, {Failures} failed utterances")]
    private static partial void LogFinished(ILogger logger, Guid callId, int segments, int failures);

    private sealed class Leg(CallLeg leg, PipelineOptions options)
    {
        public Lock Gate { get; } = new();

        public VoiceActivityDetector Vad { get; } = new(options);

        public LegBacklog Queue { get; } = new(leg, options.QueueCapacity);

        public System.Collections.Concurrent.ConcurrentQueue<Utterance> Dropped { get; } = new();

        public bool Seen { get; set; }

        public bool Ended { get; set; }

        public int Seq { get; set; }

        public long LastEnd { get; set; }

        public string LastText { get; set; } = string.Empty;
    }
}
