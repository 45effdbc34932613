using System.Collections.Concurrent;
using CallCenter.Telephony.Sdp;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Media;

/// <summary>
/// Plays prompts on many calls from one 20 ms clock (one loop for all calls instead of a timer per call). A late
/// tick is caught up by sending the frames that are due, at most a few per tick, so audio stays in real time.
/// </summary>
public sealed partial class PromptPlayer(TimeProvider time, ILogger<PromptPlayer> logger) : IAsyncDisposable
{
    private const int FrameSamples = 160;
    private const int MaxCatchUpFrames = 5;
    private readonly ConcurrentDictionary<long, Playback> _playing = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _nextId;

    public int Active => _playing.Count;

    /// <summary>Starts playing <paramref name="samples"/> on <paramref name="session"/>; the task ends when played or stopped.</summary>
    public Task PlayAsync(RtpSession session, short[] samples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(samples);
        EnsureStarted();
        var encoded = new byte[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            encoded[i] = session.Codec == AudioCodec.Pcmu ? G711.EncodeUlaw(samples[i]) : G711.EncodeAlaw(samples[i]);
        }

        var id = Interlocked.Increment(ref _nextId);
        var p = new Playback(session, encoded, time.GetTimestamp());
        _playing[id] = p;
        var registration = cancellationToken.Register(() =>
        {
            if (_playing.TryRemove(id, out var removed))
            {
                removed.Done.TrySetCanceled(cancellationToken);
            }
        });
        return p.Done.Task.ContinueWith(t => { registration.Dispose(); return t; }, TaskScheduler.Default).Unwrap();
    }

    private void EnsureStarted()
    {
        if (_loop is null)
        {
            lock (_playing)
            {
                _loop ??= Task.Factory.StartNew(() => RunAsync(_stop.Token), CancellationToken.None,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
            }
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20), time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = time.GetTimestamp();
                foreach (var (id, p) in _playing)
                {
                    try
                    {
                        Tick(id, p, now);
                    }
#pragma warning disable CA1031 // one call's failure must not stop every other call's audio
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        LogPlaybackFailed(ex);
                        _playing.TryRemove(id, out _);
                        p.Done.TrySetException(ex);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Tick(long id, Playback p, long now)
    {
        var due = (long)(time.GetElapsedTime(p.Started, now).TotalMilliseconds / 20) + 1;
        var frames = 0;
        while (p.FramesSent < due && frames < MaxCatchUpFrames)
        {
            var offset = p.FramesSent * FrameSamples;
            if (offset >= p.Encoded.Length)
            {
                _playing.TryRemove(id, out _);
                p.Done.TrySetResult();
                return;
            }

            var length = (int)Math.Min(FrameSamples, p.Encoded.Length - offset);
            p.Session.SendFrame(p.Encoded.AsSpan((int)offset, length), p.FramesSent == 0);
            p.FramesSent++;
            frames++;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        foreach (var p in _playing.Values)
        {
            p.Done.TrySetCanceled();
        }

        _stop.Dispose();
    }

    private sealed class Playback(RtpSession session, byte[] encoded, long started)
    {
        public RtpSession Session { get; } = session;

        public byte[] Encoded { get; } = encoded;

        public long Started { get; } = started;

        public long FramesSent { get; set; }

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Prompt playback failed; the call continues without it")]
    private partial void LogPlaybackFailed(Exception ex);
}
