using System.Collections.Concurrent;
using System.Net;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Routing;
using CallCenter.Telephony.Sdp;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Calls;

/// <summary>
/// Inbound toll-free calls on top of <see cref="SipCore"/>: DNIS lookup, nuisance rules before answering, SDP
/// answer, per-leg recording, welcome prompt, then "queued" with the <see cref="Acd.QueueAttendant"/> until the caller hangs up, RTP stops or the
/// maximum duration passes. Every step is written to the calls row and published on the <see cref="CallEventBus"/>.
/// </summary>
public sealed partial class CallManager : ISipUserAgent, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, InboundCall> _byCallId = new(StringComparer.Ordinal);
    private readonly SipCore _core;
    private readonly CallStore _store;
    private readonly Agents.Registrar _registrar;
    private readonly DnisMap _dnis;
    private readonly LineHours _hours;
    private readonly NuisanceRules _rules;
    private readonly RtpPortPool _ports;
    private readonly PromptPlayer _player;
    private readonly PromptLibrary _prompts;
    private readonly CallEventBus _events;
    private readonly TelephonyMetrics _metrics;
    private readonly MediaMetrics _mediaMetrics;
    private readonly TelephonyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CallManager> _logger;
    private readonly SemaphoreSlim _setups;
    private readonly ICallAudioSink[] _audioSinks;
    private readonly Agents.AgentRinger _ringer;
    private readonly Agents.AgentSelector _selector;
    private readonly Agents.AgentStates _states;
    private readonly Acd.QueueAttendant _attendant;
    private readonly CancellationTokenSource _stop = new();
    private Task? _watchdog;
    private int _disposed;

    public CallManager(SipCore core, CallStore store, DnisMap dnis, NuisanceRules rules, RtpPortPool ports, PromptPlayer player,
        PromptLibrary prompts, CallEventBus events, TelephonyMetrics metrics, MediaMetrics mediaMetrics,
        IOptions<TelephonyOptions> options, TimeProvider time, ILogger<CallManager> logger, Agents.Registrar registrar,
        IEnumerable<ICallAudioSink> audioSinks, Agents.AgentRinger ringer, Agents.AgentSelector selector, Agents.AgentStates states,
        Acd.QueueAttendant attendant, LineHours hours)
    {
        _hours = hours;
        _ringer = ringer;
        _selector = selector;
        _states = states;
        _attendant = attendant;
        _audioSinks = audioSinks.ToArray();
        _registrar = registrar;
        ArgumentNullException.ThrowIfNull(options);
        _core = core;
        _store = store;
        _dnis = dnis;
        _rules = rules;
        _ports = ports;
        _player = player;
        _prompts = prompts;
        _events = events;
        _metrics = metrics;
        _mediaMetrics = mediaMetrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _setups = new SemaphoreSlim(_options.Calls.MaxSetupsInFlight);
        NodeName = _options.NodeName ?? Environment.MachineName;
        metrics.Meter.CreateObservableGauge("callcenter.calls.active", () => _byCallId.Count, description: "Calls in progress");
    }

    public string NodeName { get; }

    public IPAddress MediaAddress { get; set; } = IPAddress.Loopback;

    public int ActiveCalls => _byCallId.Count;

    public InboundCall? Find(string sipCallId) => _byCallId.GetValueOrDefault(sipCallId);

    public void StartWatchdog() => _watchdog ??= Task.Run(() => WatchdogAsync(_stop.Token));

    public void OnInvite(ServerTransaction transaction)
    {
        if (transaction.Request.Get("To") is { } to && NameAddress.TryParse(to, out var na) && na.Tag is not null)
        {
            if (RoutedToOutbound(transaction))
            {
                return;
            }

            OnReInvite(transaction);
            return;
        }

        if (_byCallId.Count >= _options.Calls.MaxConcurrentCalls || !_setups.Wait(0))
        {
            var busy = transaction.CreateResponse(503);
            busy.Add("Retry-After", "5");
            transaction.Respond(busy);
            _metrics.Ended.Add(1, new KeyValuePair<string, object?>("disposition", "overload"));
            return;
        }

        _metrics.Setups.Add(1);
        _ = Task.Run(async () =>
        {
            try
            {
                await HandleInviteAsync(transaction);
            }
            finally
            {
                _setups.Release();
            }
        });
    }

    private async Task HandleInviteAsync(ServerTransaction tx)
    {
        var request = tx.Request;
        var ct = _stop.Token;
        var dialed = SipUri.TryParse(request.RequestUri, out var ruri) ? SipText.DigitsOnly(ruri.User) : null;
        var (caller, callerRaw) = CallerOf(request);
        var call = new InboundCall(Guid.NewGuid(), tx, caller, dialed ?? "", _time);
        if (!_byCallId.TryAdd(call.SipCallId, call))
        {
            tx.Respond(482); // same Call-ID, new transaction: a merged or looped request (RFC 3261 §8.2.2.2)
            return;
        }

        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id });
        try
        {
            var line = dialed is null ? null : await _dnis.LookupAsync(dialed, ct);
            if (!await _store.InsertInboundAsync(call.Id, call.SipCallId, caller, callerRaw, dialed, line?.Id, NodeName, ct))
            {
                // This Call-ID was already a call here: a replayed or looped INVITE, not a new call.
                call.TryEnd();
                tx.Respond(482);
                _ = Task.Delay(_core.Timers.Timeout / 2, _time).ContinueWith(_ => _byCallId.TryRemove(new(call.SipCallId, call)), TaskScheduler.Default);
                return;
            }

            if (line is null)
            {
                await RejectAsync(call, 404, "not_found", "unknown toll-free number");
                return;
            }

            call.Line = line;
            var decision = await _rules.EvaluateAsync(caller, call.Dialed, line.Id, call.Id, NodeName, ct);
            if (decision.Action == NuisanceAction.Reject)
            {
                await RejectAsync(call, decision.RejectCode, "blocked", "nuisance rule " + decision.RuleId + " (" + decision.RuleKind + ")");
                return;
            }

            // Closed: answered only to say so; blocked callers keep their own treatment. Decided before any port is rented.
            call.Closed = decision.Action == NuisanceAction.Allow && !await _hours.IsOpenAsync(line.Id, ct);
            if (UnacceptableBody(request) is { } status)
            {
                await RejectAsync(call, status, "failed", "unacceptable request body");
                return;
            }

            if (!SdpSession.TryParse(SdpBody(request), out var offer, out var sdpError)
                || !SdpNegotiator.TryAnswer(offer, out var agreement, out sdpError))
            {
                LogNoMedia(sdpError);
                await RejectAsync(call, 488, "failed", "no acceptable media: " + sdpError);
                return;
            }

            var lease = _ports.Rent();
            if (lease is null)
            {
                await RejectAsync(call, 503, "failed", "no free RTP port");
                return;
            }

            if (decision.Action == NuisanceAction.Allow && !call.Closed)
            {
                _events.Publish(new CallOffered(call.Id, _time.GetUtcNow(), caller, call.Dialed, line.Id, line.Code));
            }

            await AnswerAsync(call, agreement, lease, decision, ct);
        }
        catch (OperationCanceledException) when (call.Lifetime.IsCancellationRequested || ct.IsCancellationRequested)
        {
            // Cancelled by the caller (CANCEL) or by shutdown: the end was recorded by whoever cancelled.
        }
#pragma warning disable CA1031 // a failing call must be answered and recorded, never crash the process
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogSetupFailed(ex);
            tx.Respond(500);
            await EndAsync(call, "failed", "system", "set-up failed: " + ex.GetType().Name, sendBye: call.AnsweredAt is not null);
        }
        finally
        {
            // A CANCEL (or any end) during set-up may have run before media existed: release what set-up made since.
            if (call.IsEnded)
            {
                await ReleaseMediaAsync(call);
            }
        }
    }

    private async Task AnswerAsync(InboundCall call, SdpAgreement agreement, RtpPortLease lease, NuisanceDecision decision, CancellationToken ct)
    {
        try
        {
            await StartMediaAsync(call, agreement, lease, ct);
        }
        catch
        {
            lease.Dispose(); // the RtpSession never took the ports over
            throw;
        }

        if (_options.Calls.RingMilliseconds > 0)
        {
            call.SetState(CallState.Ringing);
            call.Invite.Respond(180);
            await Task.Delay(TimeSpan.FromMilliseconds(_options.Calls.RingMilliseconds), _time, call.Lifetime.Token);
        }

        var ok = call.Invite.CreateResponse(200);
        ok.Add("Contact", "<sip:" + call.Dialed + "@" + _core.AdvertisedHost + ":" + (_core.Transport(call.Remote.Transport)?.LocalEndPoint.Port ?? 5060) + ">");
        ok.Add("Allow", string.Join(", ", SipCore.AllowedMethods));
        ok.Add("Content-Type", "application/sdp");
        ok.Body = SdpNegotiator.WriteAnswer(agreement, MediaAddress, lease.Port, _time.GetUtcNow().ToUnixTimeSeconds());
        // Set before the 200 leaves: a caller may ACK and BYE before the next line runs.
        call.AnsweredAt = _time.GetUtcNow();
        if (!call.Invite.Respond(ok))
        {
            call.AnsweredAt = null;
            return; // CANCEL won the race; the 487 path ended the call
        }

        call.SetState(CallState.Announcing);
        await _store.SetStateAsync(call.Id, "announcing", ct);
        _events.Publish(new CallAnswered(call.Id, _time.GetUtcNow(), null));
        var token = call.Lifetime.Token;
        if (decision.Action == NuisanceAction.Announce)
        {
            await PlayAsync(call, _options.Calls.NuisancePrompt, token, orWelcome: false);
            await EndAsync(call, "blocked", "system", "nuisance rule " + decision.RuleId + " (" + decision.RuleKind + "): announced", sendBye: true);
            return;
        }

        if (call.Closed)
        {
            await PlayAsync(call, _options.Calls.ClosedPrompt, token, orWelcome: false);
            await EndAsync(call, "closed", "system", "outside the line's business hours", sendBye: true);
            return;
        }

        await PlayAsync(call, call.Line?.WelcomePrompt ?? _options.Calls.DefaultWelcomePrompt, token);
        if (call.IsEnded)
        {
            return;
        }

        call.SetState(CallState.Queued);
        await _store.SetStateAsync(call.Id, "queued", ct);
        var position = await _attendant.PositionAsync(call.Id, ct) ?? 1;
        _events.Publish(new CallQueued(call.Id, _time.GetUtcNow(), call.Line!.Id, position));
        // The wait runs on its own: this set-up's slot (MaxSetupsInFlight) is free again for new callers.
        _ = Task.Run(() => RunQueueAsync(call), CancellationToken.None);
    }

    private async Task RejectAsync(InboundCall call, int status, string disposition, string reason)
    {
        call.Invite.Respond(status);
        _events.Publish(new CallRejected(call.Id, _time.GetUtcNow(), call.Caller, call.Dialed, status, reason));
        await EndAsync(call, disposition, "system", reason, sendBye: false);
    }

    /// <summary>Ends a call once: BYE if asked, media stopped, recording finished, row closed, event published.</summary>
    public async Task EndAsync(InboundCall call, string disposition, string endedBy, string? reason, bool sendBye)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!call.TryEnd())
        {
            return;
        }

        try
        {
            await call.Lifetime.CancelAsync();
            if (sendBye && call.Invite.LastResponse is { StatusCode: >= 200 and < 300 })
            {
                var local = _core.Transport(call.Remote.Transport)?.LocalEndPoint.Port ?? 5060;
                _ = _core.SendRequestAsync(call.CreateBye(_core.AdvertisedHost, local), call.Remote);
            }

            await EndAgentSideAsync(call, reason ?? disposition);
            await ReleaseMediaAsync(call);
            await _store.EndAsync(call.Id, disposition, endedBy, reason, call.AnsweredAt, CancellationToken.None);
            _metrics.Ended.Add(1, new KeyValuePair<string, object?>("disposition", disposition));
            _events.Publish(new CallEnded(call.Id, _time.GetUtcNow(), disposition, endedBy, reason));
            LogEnded(call.Id, disposition, endedBy);
        }
#pragma warning disable CA1031 // clean-up failures are logged; the next start marks the row interrupted if it stayed open
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEndFailed(ex, call.Id);
        }
        finally
        {
            // Keep the entry briefly so retransmitted BYEs are still answered, then forget the call.
            // Lifetime is cancelled, not disposed: set-up code still running may read its token.
            _ = Task.Delay(_core.Timers.Timeout / 2, _time).ContinueWith(_ => _byCallId.TryRemove(new(call.SipCallId, call)), TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // stopped by the hosted service, then disposed by the container
        }

        await _stop.CancelAsync();
        foreach (var call in _byCallId.Values)
        {
            await EndAsync(call, "failed", "system", "service stopping", sendBye: true);
        }

        if (_watchdog is not null)
        {
            await _watchdog.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
        _setups.Dispose();
    }
}
