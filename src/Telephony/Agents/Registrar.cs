using System.Globalization;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Agents;

/// <summary>
/// REGISTER for agents' phones (RFC 3261 §10): digest authentication (SHA-256 and MD5, RFC 8760) against the
/// HA1 hashes in agents, bindings with expiry in agent_registrations (several devices per agent), and the agent
/// state offline ⇄ available as the first device arrives or the last one leaves. Unknown users, wrong passwords
/// and forged nonces all get the same fresh 401, so accounts cannot be enumerated.
/// </summary>
public sealed partial class Registrar : IDisposable
{
    private static readonly string[] WhenFirstDevice = [AgentState.Offline];
    private static readonly string[] WhenLastDevice = [AgentState.Available, AgentState.Break, AgentState.WrapUp];
    private readonly RegistrationStore _store;
    private readonly AgentStates _states;
    private readonly DigestAuth _auth;
    private readonly SipOptions _options;
    private readonly TelephonyMetrics _metrics;
    private readonly ILogger<Registrar> _logger;
    private readonly SemaphoreSlim _inFlight;
    private readonly string _node;

    public Registrar(RegistrationStore store, AgentStates states, DigestAuth auth, IOptions<TelephonyOptions> options,
        TelephonyMetrics metrics, ILogger<Registrar> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _states = states;
        _auth = auth;
        _options = options.Value.Sip;
        _node = options.Value.NodeName ?? Environment.MachineName;
        _metrics = metrics;
        _logger = logger;
        _inFlight = new SemaphoreSlim(_options.MaxRegistrationsInFlight);
    }

    /// <summary>Answers the REGISTER asynchronously (database work); beyond the in-flight bound it gets 503 at once.</summary>
    public void Handle(ServerTransaction tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (!_inFlight.Wait(0))
        {
            var busy = tx.CreateResponse(503);
            busy.Add("Retry-After", "5");
            tx.Respond(busy);
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await HandleAsync(tx, CancellationToken.None);
            }
#pragma warning disable CA1031 // a failing REGISTER gets a 500 and a log line, never a crash
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFailed(ex);
                tx.Respond(500);
            }
            finally
            {
                _inFlight.Release();
            }
        });
    }

    public void Dispose() => _inFlight.Dispose();

    internal async Task HandleAsync(ServerTransaction tx, CancellationToken ct)
    {
        var request = tx.Request;
        var credentials = DigestAuth.Parse(request.Get("Authorization"));
        if (credentials is null || !credentials.Realm.Equals(_options.Realm, StringComparison.Ordinal))
        {
            Challenge(tx, stale: false, "no credentials");
            return;
        }

        var nonce = _auth.CheckNonce(credentials.Nonce);
        if (nonce == NonceCheck.Invalid)
        {
            Challenge(tx, stale: false, "forged nonce");
            return;
        }

        var account = await _store.FindAccountAsync(credentials.Username, ct);
        var ha1 = credentials.Algorithm == DigestAlgorithm.Sha256 ? account?.Ha1Sha256 : account?.Ha1Md5;
        // Unknown users cost the same hash work as known ones: no timing difference to enumerate accounts by.
        var expected = DigestAuth.ExpectedResponse(ha1 ?? new string('0', credentials.Algorithm == DigestAlgorithm.Sha256 ? 64 : 32), "REGISTER", credentials);
        if (account is null || ha1 is null || !DigestAuth.ResponseMatches(expected, credentials.Response))
        {
            _metrics.RegistrationsRefused.Add(1);
            LogRefused(tx.Remote.EndPoint.Address);
            Challenge(tx, stale: false, "wrong credentials");
            return;
        }

        if (nonce == NonceCheck.Stale)
        {
            Challenge(tx, stale: true, "stale nonce"); // right password, old nonce: the phone retries without asking the user
            return;
        }

        if (!NameAddress.TryParse(request.Get("To") ?? "", out var to) || !SipUri.TryParse(to.Uri, out var aor)
            || !string.Equals(aor.User, credentials.Username, StringComparison.Ordinal))
        {
            tx.Respond(403, "Forbidden - credentials do not match the address of record");
            return;
        }

        if (!TryReadContacts(request, out var changes, out var removeAll, out var tooBrief))
        {
            if (tooBrief)
            {
                var brief = tx.CreateResponse(423);
                brief.Add("Min-Expires", _options.MinRegistrationSeconds.ToString(CultureInfo.InvariantCulture));
                tx.Respond(brief);
            }
            else
            {
                tx.Respond(400, "Bad Request - invalid Contact or Expires");
            }

            return;
        }

        var source = tx.Remote.Transport.ToString().ToLowerInvariant() + ":" + tx.Remote.EndPoint;
        var userAgent = request.Get("User-Agent") is { } ua ? (ua.Length > 128 ? ua[..128] : ua) : null;
        var live = await _store.ApplyAsync(account.Id, changes, removeAll, source, userAgent, _node, ct);
        if (live.Count > 0)
        {
            await _states.ChangeAsync(account.Id, AgentState.Available, WhenFirstDevice, "registered", Guid.Empty, ct);
        }
        else
        {
            await _states.ChangeAsync(account.Id, AgentState.Offline, WhenLastDevice, "unregistered", Guid.Empty, ct);
        }

        var ok = tx.CreateResponse(200);
        var now = DateTimeOffset.UtcNow;
        foreach (var b in live)
        {
            var left = Math.Max(0, (int)Math.Ceiling((new DateTimeOffset(b.ExpiresAt.ToUniversalTime(), TimeSpan.Zero) - now).TotalSeconds));
            ok.Add("Contact", "<" + b.ContactUri + ">;expires=" + left.ToString(CultureInfo.InvariantCulture));
        }

        ok.Add("Date", now.ToString("r", CultureInfo.InvariantCulture));
        _metrics.Registrations.Add(1);
        LogRegistered(account.Id, live.Count);
        tx.Respond(ok);
    }

    private bool TryReadContacts(SipRequest request, out List<(string Contact, int Expires)> changes, out bool removeAll, out bool tooBrief)
    {
        changes = [];
        removeAll = false;
        tooBrief = false;
        int? headerExpires = null;
        if (request.Get("Expires") is { } e)
        {
            if (!int.TryParse(e.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return false;
            }

            headerExpires = parsed;
        }

        var contacts = request.GetAll("Contact");
        if (contacts.Count > _options.MaxContactsPerRegister)
        {
            return false;
        }

        foreach (var c in contacts)
        {
            if (c.Trim() == "*")
            {
                // RFC 3261 §10.3 step 6: "*" only alone and with Expires: 0.
                removeAll = contacts.Count == 1 && headerExpires == 0;
                return removeAll;
            }

            if (!NameAddress.TryParse(c, out var na) || !SipUri.TryParse(na.Uri, out _) || na.Uri.Length > 256)
            {
                return false;
            }

            var expires = headerExpires ?? _options.DefaultRegistrationSeconds;
            if (na.Parameters.TryGetValue("expires", out var p))
            {
                if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out expires))
                {
                    return false;
                }
            }

            if (expires > 0 && expires < _options.MinRegistrationSeconds)
            {
                tooBrief = true;
                return false;
            }

            changes.Add((na.Uri, Math.Min(expires, _options.MaxRegistrationSeconds)));
        }

        return true;
    }

    private void Challenge(ServerTransaction tx, bool stale, string why)
    {
        var r = tx.CreateResponse(401);
        var nonce = _auth.NewNonce();
        var algorithms = _options.DigestAlgorithmList.ToList();
        if (algorithms.Count > 1 && algorithms.Contains("MD5") && tx.Request.Get("User-Agent") is { } ua
            && _options.Md5OnlyUserAgentList.Any(p => ua.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
        {
            // No downgrade beyond the configured list: such a phone could answer the MD5 challenge anyway.
            algorithms = ["MD5"];
            why += ", MD5 only for this User-Agent";
        }

        foreach (var name in algorithms)
        {
            r.Add("WWW-Authenticate", "Digest realm=\"" + _options.Realm + "\", nonce=\"" + nonce + "\", algorithm=" + name
                + ", qop=\"auth\"" + (stale ? ", stale=TRUE" : ""));
        }

        LogChallenged(why);
        tx.Respond(r);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} registered; {Bindings} live bindings")]
    private partial void LogRegistered(int agentId, int bindings);

    [LoggerMessage(Level = LogLevel.Warning, Message = "REGISTER from {Address} refused: wrong credentials or unknown user")]
    private partial void LogRefused(System.Net.IPAddress address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "REGISTER challenged: {Why}")]
    private partial void LogChallenged(string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "REGISTER handling failed")]
    private partial void LogFailed(Exception ex);
}
