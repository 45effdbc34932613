using System.Text;
using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Sip;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.Telephony.Tests.Sip;
using CallCenter.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.Telephony.Tests.Agents;

/// <summary>REGISTER with digest auth against the real softswitch and PostgreSQL, with sipp and a raw UDP client.</summary>
[Collection(SoftswitchGroup.Name)]
public sealed class RegistrationTests(SoftswitchFixture fx)
{
    private const string Realm = "callcenter";

    /// <summary>
    /// The demo script's sipp scenario (scripts/sipp/demo-register.xml), so the script is tested too, expecting
    /// <paramref name="final"/> after the challenge (sipp 3.6 takes no fields inside [authentication]).
    /// </summary>
    private static string RegisterScenario(int final, string user, string password, int expires = 300) =>
        File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "scripts", "sipp", "demo-register.xml"))
            .Replace("@USER@", user, StringComparison.Ordinal)
            .Replace("@PASSWORD@", password, StringComparison.Ordinal)
            .Replace("@EXPIRES@", expires.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("<recv response=\"200\"/>", "<recv response=\"" + final.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"/>", StringComparison.Ordinal);

    private async Task<int> CreateAgentAsync(string sipUser, string password)
    {
        return await fx.QuerySingleAsync<int>(
            """
            INSERT INTO agents (username, display_name, sip_username, sip_realm, sip_ha1_md5, sip_ha1_sha256)
            VALUES (@sipUser, @sipUser, @sipUser, @Realm, @md5, @sha) RETURNING id
            """,
            new
            {
                sipUser, Realm,
                md5 = DigestAuth.Ha1(DigestAlgorithm.Md5, sipUser, Realm, password),
                sha = DigestAuth.Ha1(DigestAlgorithm.Sha256, sipUser, Realm, password),
            });
    }

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    [PostgresFact]
    public async Task AnAgentRegistersWithSippAndBecomesAvailableWithABinding()
    {
        var user = Unique("ag");
        var id = await CreateAgentAsync(user, "s3cret-pw");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var published = WaitForStateEventAsync(id, "available", stop.Token);

        var (exit, output) = await Sipp.RunAsync(fx.SipPort, RegisterScenario(200, user, "s3cret-pw"), user, "s3cret-pw", Unique("reg") + "@test");

        exit.ShouldBe(0, output);
        (await fx.QuerySingleAsync<int>("SELECT count(*)::int FROM agent_registrations WHERE agent_id = @id AND expires_at > now()", new { id })).ShouldBe(1);
        (await fx.QuerySingleAsync<string>("SELECT state FROM agents WHERE id = @id", new { id })).ShouldBe("available");
        (await fx.QuerySingleAsync<string>("SELECT state FROM agent_state_changes WHERE agent_id = @id ORDER BY id DESC LIMIT 1", new { id })).ShouldBe("available");
        (await published).ShouldBeTrue();
    }

    private async Task<bool> WaitForStateEventAsync(int agentId, string state, CancellationToken ct)
    {
        try
        {
            await foreach (var e in fx.Events.SubscribeAsync(cancellationToken: ct))
            {
                if (e is AgentStateChanged a && a.AgentId == agentId && a.State == state)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }

    [PostgresFact]
    public async Task AWrongPasswordIsChallengedAgainAndLeavesTheRegisteredDeviceAlone()
    {
        var user = Unique("ag");
        var id = await CreateAgentAsync(user, "right-pw");
        (await Sipp.RunAsync(fx.SipPort, RegisterScenario(200, user, "right-pw"), user, "right-pw", Unique("reg") + "@test")).ExitCode.ShouldBe(0);

        var (exit, output) = await Sipp.RunAsync(fx.SipPort, RegisterScenario(401, user, "wrong-pw"), user, "wrong-pw", Unique("reg") + "@test");

        exit.ShouldBe(0, output);
        (await fx.QuerySingleAsync<int>("SELECT count(*)::int FROM agent_registrations WHERE agent_id = @id AND expires_at > now()", new { id })).ShouldBe(1);
        (await fx.QuerySingleAsync<string>("SELECT state FROM agents WHERE id = @id", new { id })).ShouldBe("available");
    }

    [PostgresFact]
    public async Task AnUnknownUserGetsTheSameChallengeAsAWrongPassword()
    {
        var user = Unique("ag");
        await CreateAgentAsync(user, "pw-one");
        using var client = new UdpSipClient(fx.SipPort);

        var known = await RegisterRawAsync(client, user, "not-the-pw", DigestAlgorithm.Sha256);
        var unknown = await RegisterRawAsync(client, Unique("nobody"), "whatever", DigestAlgorithm.Sha256);

        known.StatusCode.ShouldBe(401);
        unknown.StatusCode.ShouldBe(401);
        Shape(known).ShouldBe(Shape(unknown));
        Challenges(known).ShouldNotBeEmpty();
    }

    [PostgresFact]
    public async Task APhoneThatRefusesMixedChallengesIsChallengedWithMd5AloneAndOtherPhonesWithEvery()
    {
        var user = Unique("ag");
        await CreateAgentAsync(user, "pw-ua");
        using var client = new UdpSipClient(fx.SipPort);

        client.Send(RegisterText(client.LocalPort, user, Unique("ua") + "@test", 1, 300, null, "baresip v1.0.0 (x86_64/linux)"));
        var baresip = await client.FinalResponseAsync(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("no challenge");
        client.Send(RegisterText(client.LocalPort, user, Unique("ua") + "@test", 1, 300, null, "Yealink SIP-T46U 108.86.0.20"));
        var other = await client.FinalResponseAsync(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("no challenge");

        Challenges(baresip).ShouldHaveSingleItem().ShouldContain("algorithm=MD5,");
        Challenges(other).Count.ShouldBe(2, "the fixture allows MD5 and SHA-256");
    }

    [PostgresFact]
    public async Task Sha256CredentialsRegisterTwoDevicesAndUnregisteringBothTakesTheAgentOffline()
    {
        var user = Unique("ag");
        var id = await CreateAgentAsync(user, "pw-sha");
        using var deskPhone = new UdpSipClient(fx.SipPort);
        using var softPhone = new UdpSipClient(fx.SipPort);

        (await RegisterRawAsync(deskPhone, user, "pw-sha", DigestAlgorithm.Sha256)).StatusCode.ShouldBe(200);
        var second = await RegisterRawAsync(softPhone, user, "pw-sha", DigestAlgorithm.Md5);

        second.StatusCode.ShouldBe(200);
        second.GetAll("Contact").Count.ShouldBe(2);
        (await fx.QuerySingleAsync<string>("SELECT state FROM agents WHERE id = @id", new { id })).ShouldBe("available");

        (await RegisterRawAsync(deskPhone, user, "pw-sha", DigestAlgorithm.Sha256, expires: 0)).StatusCode.ShouldBe(200);
        (await fx.QuerySingleAsync<string>("SELECT state FROM agents WHERE id = @id", new { id })).ShouldBe("available");
        var last = await RegisterRawAsync(softPhone, user, "pw-sha", DigestAlgorithm.Md5, expires: 0);

        last.StatusCode.ShouldBe(200);
        last.GetAll("Contact").ShouldBeEmpty();
        (await fx.QuerySingleAsync<int>("SELECT count(*)::int FROM agent_registrations WHERE agent_id = @id", new { id })).ShouldBe(0);
        (await fx.QuerySingleAsync<string>("SELECT state FROM agents WHERE id = @id", new { id })).ShouldBe("offline");
    }

    [PostgresFact]
    public async Task AStaleNonceWithTheRightPasswordIsChallengedWithStaleTrue()
    {
        var user = Unique("ag");
        await CreateAgentAsync(user, "pw-stale");
        var lifetime = fx.Services.GetRequiredService<DigestAuth>().NonceLifetime;
        // A nonce signed by the server's own secret but issued before its lifetime: what a phone replays after a pause.
        var old = new DigestAuth(fx.NonceSecret, lifetime, new Screening.FixedTimeProvider(DateTimeOffset.UtcNow - lifetime - TimeSpan.FromMinutes(1))).NewNonce();
        using var client = new UdpSipClient(fx.SipPort);

        var r = await SendAuthorizedAsync(client, user, "pw-stale", DigestAlgorithm.Md5, old, 300, Unique("c"));

        r.StatusCode.ShouldBe(401);
        Challenges(r).ShouldAllBe(h => h.Contains("stale=TRUE", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task AFloodOfBadRegistersDoesNotUnregisterOrBlockARegisteredAgent()
    {
        var user = Unique("ag");
        var id = await CreateAgentAsync(user, "pw-flood");
        (await Sipp.RunAsync(fx.SipPort, RegisterScenario(200, user, "pw-flood"), user, "pw-flood", Unique("reg") + "@test")).ExitCode.ShouldBe(0);
        using (var attacker = new UdpSipClient(fx.SipPort))
        {
            for (var i = 0; i < 300; i++)
            {
                attacker.Send(RegisterText(attacker.LocalPort, user, Unique("f"), 1, 300,
                    "Digest username=\"" + user + "\", realm=\"callcenter\", nonce=\"bogus" + i + "\", uri=\"sip:callcenter\", response=\"00\""));
            }
        }

        (await fx.QuerySingleAsync<int>("SELECT count(*)::int FROM agent_registrations WHERE agent_id = @id AND expires_at > now()", new { id })).ShouldBe(1);
        (await fx.QuerySingleAsync<string>("SELECT state FROM agents WHERE id = @id", new { id })).ShouldBe("available");
        // On loopback the attacker and the phone share one source address: let its flood bucket refill (a real phone has its own).
        await Task.Delay(TimeSpan.FromSeconds(3));
        using var phone = new UdpSipClient(fx.SipPort);
        (await RegisterRawAsync(phone, user, "pw-flood", DigestAlgorithm.Md5)).StatusCode.ShouldBe(200, "a flood from another source must not lock the agent out");
    }

    /// <summary>Each WWW-Authenticate header whole (GetAll would split a challenge at its commas).</summary>
    private static List<string> Challenges(SipResponse r) =>
        r.Headers.Where(h => h.Name.Equals("WWW-Authenticate", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();

    private static string Shape(SipResponse r) =>
        r.StatusCode + "|" + string.Join("|", Challenges(r).Select(h => System.Text.RegularExpressions.Regex.Replace(h, "nonce=\"[^\"]*\"", "nonce")));

    /// <summary>Challenge then answer it, like a phone does; returns the final response to the authorized REGISTER.</summary>
    private static async Task<SipResponse> RegisterRawAsync(UdpSipClient client, string user, string password, DigestAlgorithm algorithm, int expires = 300)
    {
        var callId = Unique("raw") + "@test";
        client.Send(RegisterText(client.LocalPort, user, callId, 1, expires, null));
        var challenge = await client.FinalResponseAsync(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("no challenge");
        challenge.StatusCode.ShouldBe(401);
        var name = DigestAuth.AlgorithmName(algorithm);
        var header = Challenges(challenge).Single(h => h.Contains("algorithm=" + name + ",", StringComparison.Ordinal));
        var nonce = System.Text.RegularExpressions.Regex.Match(header, "nonce=\"([^\"]+)\"").Groups[1].Value;
        return await SendAuthorizedAsync(client, user, password, algorithm, nonce, expires, callId);
    }

    private static async Task<SipResponse> SendAuthorizedAsync(UdpSipClient client, string user, string password, DigestAlgorithm algorithm,
        string nonce, int expires, string callId)
    {
        var creds = new DigestCredentials(user, Realm, nonce, "sip:callcenter", "", algorithm, "auth", "00000001", "c0ffee");
        var response = DigestAuth.ExpectedResponse(DigestAuth.Ha1(algorithm, user, Realm, password), "REGISTER", creds);
        var auth = "Digest username=\"" + user + "\", realm=\"" + Realm + "\", nonce=\"" + nonce + "\", uri=\"sip:callcenter\", algorithm="
            + DigestAuth.AlgorithmName(algorithm) + ", qop=auth, nc=00000001, cnonce=\"c0ffee\", response=\"" + response + "\"";
        client.Send(RegisterText(client.LocalPort, user, callId, 2, expires, auth));
        return await client.FinalResponseAsync(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException("no final response");
    }

    private static string RegisterText(int localPort, string user, string callId, int cseq, int expires, string? authorization, string? userAgent = null)
    {
        var sb = new StringBuilder();
        sb.Append("REGISTER sip:callcenter SIP/2.0\n")
            .Append("Via: SIP/2.0/UDP 127.0.0.1:").Append(localPort).Append(";branch=").Append(SipText.NewBranch()).Append('\n')
            .Append("From: <sip:").Append(user).Append("@callcenter>;tag=t").Append(cseq).Append('\n')
            .Append("To: <sip:").Append(user).Append("@callcenter>\n")
            .Append("Call-ID: ").Append(callId).Append('\n')
            .Append("CSeq: ").Append(cseq).Append(" REGISTER\n")
            .Append("Contact: <sip:").Append(user).Append("@127.0.0.1:").Append(localPort).Append(">\n")
            .Append("Expires: ").Append(expires).Append('\n')
            .Append("Max-Forwards: 70\n");
        if (userAgent is not null)
        {
            sb.Append("User-Agent: ").Append(userAgent).Append('\n');
        }

        if (authorization is not null)
        {
            sb.Append("Authorization: ").Append(authorization).Append('\n');
        }

        sb.Append("Content-Length: 0\n\n");
        return sb.ToString();
    }
}
