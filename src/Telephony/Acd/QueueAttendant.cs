using System.Diagnostics.Metrics;
using System.Threading.Channels;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Media;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Acd;

/// <summary>How a caller's wait ended, when it did not end by cancellation.</summary>
public enum QueueExit
{
    /// <summary>The caller pressed 1 at the offer and heard the confirmation; the call should end politely.</summary>
    CallbackChosen,

    /// <summary>The call has no media any more (it ended while the attendant started).</summary>
    NoMedia,
}

/// <summary>What the attendant needs of a queued call: its id, its media and its digits.</summary>
public sealed record QueuedCaller(Guid CallId, RtpSession Media, ChannelReader<char> Digits);

/// <summary>
/// Keeps a queued caller company: announces the position in queue (from the database) on entry and every
/// <see cref="QueueOptions.AnnounceIntervalSeconds"/>, loops hold audio in between, and once the line's
/// max_wait_seconds have passed offers a callback ("预约回电请按1，继续等待请按2"): 1 → confirmation and
/// <see cref="QueueExit.CallbackChosen"/>; 2 or no answer → wait on and offer again after another max_wait_seconds.
/// Runs until the token is cancelled (agent answered, caller left), which stops any prompt at once and throws
/// <see cref="OperationCanceledException"/>.
/// </summary>
public sealed partial class QueueAttendant
{
    private const int SampleRate = 8000;
    private readonly QueueStore _store;
    private readonly PromptPlayer _player;
    private readonly QueuePrompts _prompts;
    private readonly QueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueAttendant> _logger;
    private readonly Counter<long> _offers;
    private readonly Counter<long> _choices;

    public QueueAttendant(QueueStore store, PromptPlayer player, PromptLibrary library, TelephonyMetrics metrics,
        IOptions<TelephonyOptions> options, TimeProvider time, ILogger<QueueAttendant> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _store = store;
        _player = player;
        _options = options.Value.Queue;
        _prompts = new QueuePrompts(library, _options.HoldPrompt);
        _time = time;
        _logger = logger;
        _offers = metrics.Meter.CreateCounter<long>("callcenter.queue.callback_offers", description: "Callback offers played to queued callers");
        _choices = metrics.Meter.CreateCounter<long>("callcenter.queue.callback_choices", description: "Answers to the callback offer, by digit (none = no answer)");
    }

    /// <summary>The caller's position now (1 = next), or null when the call has no line.</summary>
    public async Task<int?> PositionAsync(Guid callId, CancellationToken ct) => (await _store.StandingAsync(callId, ct))?.Position;

    public Task<QueueExit> AttendAsync(InboundCall call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        return call.Media is { } media
            ? AttendAsync(new QueuedCaller(call.Id, media, call.Digits.Reader), ct)
            : Task.FromResult(QueueExit.NoMedia);
    }

    public async Task<QueueExit> AttendAsync(QueuedCaller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var standing = await _store.StandingAsync(caller.CallId, ct);
        var maxWait = TimeSpan.FromSeconds(standing?.MaxWaitSeconds ?? 180);
        var interval = TimeSpan.FromSeconds(_options.AnnounceIntervalSeconds);
        var now = _time.GetUtcNow();
        var offerAt = now + maxWait;
        var announceAt = now;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            now = _time.GetUtcNow();
            if (now >= offerAt)
            {
                var digit = await OfferAsync(caller, ct);
                _choices.Add(1, new KeyValuePair<string, object?>("digit", digit?.ToString() ?? "none"));
                if (digit == '1')
                {
                    LogCallbackChosen(caller.CallId);
                    await PlayAsync(caller, _prompts.Confirm, ct);
                    return QueueExit.CallbackChosen;
                }

                if (digit == '2')
                {
                    await PlayAsync(caller, _prompts.KeepWaiting, ct);
                }

                offerAt = _time.GetUtcNow() + maxWait;
                continue;
            }

            if (now >= announceAt)
            {
                var ahead = (await _store.StandingAsync(caller.CallId, ct))?.Ahead;
                if (ahead is { } n && _prompts.Position(n) is { } announcement)
                {
                    await PlayAsync(caller, announcement, ct);
                }

                announceAt = _time.GetUtcNow() + interval;
                continue;
            }

            await HoldAsync(caller, (offerAt < announceAt ? offerAt : announceAt) - now, ct);
        }
    }

    /// <summary>Plays the offer (a digit may interrupt it) and waits for 1 or 2; null when the caller said nothing.</summary>
    private async Task<char?> OfferAsync(QueuedCaller caller, CancellationToken ct)
    {
        _offers.Add(1);
        while (caller.Digits.TryRead(out _))
        {
            // Digits pressed before the offer answer nothing.
        }

        var offer = _prompts.Offer;
        var listen = TimeSpan.FromSeconds(_options.OfferDigitTimeoutSeconds) + TimeSpan.FromSeconds((offer?.Length ?? 0) / (double)SampleRate);
        using var prompt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var deadline = new CancellationTokenSource(listen, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var playing = offer is null ? Task.CompletedTask : PlayAsync(caller, offer, prompt.Token);
        try
        {
            while (true)
            {
                var digit = await caller.Digits.ReadAsync(wait.Token);
                if (digit is '1' or '2')
                {
                    return digit;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null; // no answer within the time: keep waiting
        }
        catch (ChannelClosedException)
        {
            return null;
        }
        finally
        {
            await prompt.CancelAsync(); // barge-in: a digit stops the offer
            await playing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Loops hold audio for <paramref name="length"/>; silence when no hold audio can be read.</summary>
    private async Task HoldAsync(QueuedCaller caller, TimeSpan length, CancellationToken ct)
    {
        using var until = new CancellationTokenSource(length, _time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, until.Token);
        try
        {
            if (_prompts.Hold is not { Length: > 0 } hold)
            {
                await Task.Delay(length, _time, both.Token);
                return;
            }

            while (true)
            {
                await _player.PlayAsync(caller.Media, hold, both.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Time for the next announcement or offer.
        }
    }

    private Task PlayAsync(QueuedCaller caller, short[]? samples, CancellationToken ct) =>
        samples is null ? Task.CompletedTask : _player.PlayAsync(caller.Media, samples, ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued call {CallId}: the caller chose a callback")]
    private partial void LogCallbackChosen(Guid callId);
}
