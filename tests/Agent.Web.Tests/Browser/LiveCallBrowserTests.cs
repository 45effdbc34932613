using System.Globalization;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.Telephony.Tests.Pipeline;
using CallCenter.Telephony.Transcription;
using CallCenter.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CallCenter.Agent.Web.Tests.Browser;

/// <summary>
/// The whole path with real parts: the host serves SIP on loopback; a sipp phone registers as agent1 with digest auth;
/// a sipp caller rings the repairs line and speaks Mandarin (espeak-ng); the ACD rings agent1's phone; the agent's
/// page in headless Chromium pops the customer before the phone is answered; the phone answers and speaks a taboo
/// sentence; both legs go through the bridge, the live pipeline and screening to the agent's and the supervisor's pages.
/// One stand-in, said plainly: the transcriber is a FAKE at the ITranscriber seam that returns the known sentence of
/// the clip nearest in length (no Whisper weights exist on our machines); VAD, storage, screening and push are real.
/// </summary>
[Collection("Browser")]
public sealed class LiveCallBrowserTests(LiveCallFixture app) : IClassFixture<LiveCallFixture>
{
    private const float TimeoutMs = 45_000;

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic",
    ];

    [PostgresFact]
    public async Task ASippCallRingsTheRegisteredAgentWhosePagePopsTheCustomerBeforeAnsweringThenShowsBothLegsAndTheTabooHint()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs, Timeout = TimeoutMs,
        });
        var agent = await OpenAsync(browser, "agent1", "**/agent");
        var errors = new List<string>();
        agent.PageError += (_, e) => errors.Add(e);
        await agent.Locator("body[data-hub=connected]").WaitForAsync();
        var supervisor = await OpenAsync(browser, "supervisor", "**/supervisor");
        await supervisor.Locator("body[data-loaded=true]").WaitForAsync();

        // agent1's phone: a sipp UAS registered with the demo credentials (MD5 digest), ringing 5 s before answering.
        var work = Directory.CreateTempSubdirectory("cc-live-");
        var uasPort = LiveCallFixture.FreePort();
        var agentPcap = Path.Combine(work.FullName, "agent.pcap");
        var callerPcap = Path.Combine(work.FullName, "caller.pcap");
        RtpPcap.Write(agentPcap, LiveCallFixture.AgentSpeech, alaw: false);
        RtpPcap.Write(callerPcap, LiveCallFixture.CallerSpeech, alaw: true);
        var phone = Sipp.RunServerAsync(Sipp.Scenario("agent-uas-speech.xml")
                .Replace("@ANSWER@", "5000", StringComparison.Ordinal).Replace("@SPEAK@", "9000", StringComparison.Ordinal)
                .Replace("@HANGUP@", "5000", StringComparison.Ordinal).Replace("@PCAP@", agentPcap, StringComparison.Ordinal),
            uasPort, 26000 + (Random.Shared.Next(0, 500) * 2), 90);
        var register = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "scripts", "sipp", "demo-register.xml"))
            .Replace("@USER@", "agent1", StringComparison.Ordinal).Replace("@PASSWORD@", WebAppFixture.Password, StringComparison.Ordinal)
            .Replace("@EXPIRES@", "300", StringComparison.Ordinal)
            .Replace("[local_ip]:[local_port]>", "127.0.0.1:" + uasPort.ToString(CultureInfo.InvariantCulture) + ">", StringComparison.Ordinal);
        var (regExit, regOutput) = await Sipp.RunAsync(app.SipPort, register, "agent1", "x", "reg-" + Guid.NewGuid().ToString("N")[..8] + "@test");
        regExit.ShouldBe(0, regOutput);
        (await app.EventuallyAsync("SELECT count(*) FROM agents WHERE username = 'agent1' AND state = 'available'")).ShouldBe(1, "registering made agent1 available");

        // The caller: a demo customer with products and a repair, speaking once the agent has answered.
        var sipCallId = "live-" + Guid.NewGuid().ToString("N")[..10];
        var caller = Sipp.RunAsync(app.SipPort, Sipp.Scenario("bridged-pcap-call.xml")
            .Replace("@PCAP@", callerPcap, StringComparison.Ordinal).Replace("@WAIT@", "14000", StringComparison.Ordinal),
            "13700137003", "8008101000", sipCallId, timeoutSeconds: 90);

        var pop = agent.Locator("#pop[data-call-id]");
        await pop.WaitForAsync();
        (await agent.Locator("#call-state").TextContentAsync()).ShouldBe("振铃中"); // the phone is still ringing
        (await agent.Locator("#caller").TextContentAsync()).ShouldBe("13700137003");
        (await agent.Locator("#customer-name").TextContentAsync())!.ShouldContain("陈晓明");
        (await agent.Locator("#products .warranty").First.TextContentAsync()).ShouldBe("保修期内：免费维修");
        var callId = Guid.Parse((await pop.GetAttributeAsync("data-call-id"))!);
        (await app.CountAsync("SELECT count(*) FROM calls WHERE id = $1 AND sip_call_id = $2 AND answered_at IS NOT NULL AND agent_id IS NULL", callId, sipCallId))
            .ShouldBe(1, "the pop belongs to this sipp call, shown while it waits for the agent");

        await agent.Locator("#call-state.connected").WaitForAsync();
        await agent.Locator("#tr-customer p", new() { HasText = LiveCallFixture.CallerText }).First.WaitForAsync();
        await agent.Locator("#tr-agent p", new() { HasText = LiveCallFixture.AgentText }).First.WaitForAsync();
        (await agent.Locator("#hints .hint").First.TextContentAsync())!.ShouldNotBeNullOrWhiteSpace();
        await supervisor.Locator($"#alerts .hint").First.WaitForAsync();

        var (callerExit, callerOutput) = await caller;
        callerExit.ShouldBe(0, callerOutput);
        var (phoneExit, phoneOutput) = await phone;
        phoneExit.ShouldBe(0, phoneOutput);
        var agentId = await app.AgentIdAsync("agent1");
        (await app.EventuallyAsync("SELECT count(*) FROM calls WHERE id = $1 AND disposition = 'completed' AND agent_id = $2", callId, agentId)).ShouldBe(1);
        (await app.EventuallyAsync("SELECT count(*) FROM recordings WHERE call_id = $1 AND leg_role = 'stereo' AND complete", callId)).ShouldBe(1);
        await using (var cmd = app.Db.CreateCommand("SELECT path FROM recordings WHERE call_id = $1 AND leg_role = 'stereo'"))
        {
            cmd.Parameters.AddWithValue(callId);
            var (left, right) = StereoWavWriter.ReadChannels((string)(await cmd.ExecuteScalarAsync())!);
            Loud(left).ShouldBeGreaterThan(LiveCallFixture.CallerSpeech.Length / 2, "the caller's speech is on the left channel");
            Loud(right).ShouldBeGreaterThan(LiveCallFixture.AgentSpeech.Length / 2, "the agent's speech is on the right channel");
        }

        (await app.CountAsync("SELECT count(*) FROM screening_hits WHERE call_id = $1 AND speaker = 'agent'", callId)).ShouldBeGreaterThan(0);
        (await app.CountAsync("SELECT count(DISTINCT speaker) FROM transcript_segments WHERE call_id = $1", callId)).ShouldBe(2);
        errors.ShouldBeEmpty();
        work.Delete(recursive: true);
    }

    // Samples clearly above line noise: espeak-ng speech has most of its samples there.
    private static int Loud(short[] samples) => samples.Count(s => Math.Abs((int)s) > 300);

    private async Task<IPage> OpenAsync(IBrowser browser, string user, string url)
    {
        var context = await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(TimeoutMs);
        await page.GotoAsync("/login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", WebAppFixture.Password);
        await page.ClickAsync("#submit");
        await page.WaitForURLAsync(url);
        return page;
    }
}

/// <summary>The host on Kestrel with SIP on a free loopback port and the scripted transcriber at the seam.</summary>
public sealed class LiveCallFixture : WebAppFixture
{
    public const string CallerText = "我的手机从昨天开始就一直开不了机";

    public const string AgentText = "这是厂家的事";

    public static readonly short[] CallerSpeech = SpeechAudio.Mandarin(CallerText);

    public static readonly short[] AgentSpeech = SpeechAudio.Mandarin(AgentText);

    public int SipPort { get; } = FreePort();

    protected override bool UseKestrel => true;

    protected override void Configure(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var rtpBase = 31000 + (Random.Shared.Next(0, 200) * 4);
        var inv = CultureInfo.InvariantCulture;
        builder.UseSetting("Telephony:Sip:Enabled", "true");
        builder.UseSetting("Telephony:Sip:BindAddress", "127.0.0.1");
        builder.UseSetting("Telephony:Sip:Port", SipPort.ToString(inv));
        builder.UseSetting("Telephony:Sip:DigestAlgorithms", "MD5,SHA-256"); // sipp 3.6 answers only the first challenge, MD5
        builder.UseSetting("Telephony:Rtp:PortMin", rtpBase.ToString(inv));
        builder.UseSetting("Telephony:Rtp:PortMax", (rtpBase + 398).ToString(inv));
        builder.UseSetting("Telephony:PromptsPath", Path.Combine(TestEnvironment.RepositoryRoot, "src", "Telephony", "Prompts"));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ITranscriber>(new ScriptedTranscriber([(CallerSpeech.Length, CallerText), (AgentSpeech.Length, AgentText)]));
            services.AddSingleton(new TranscriptionStatus(TranscriptionMode.Whisper));
        });
    }

    public async Task<long> EventuallyAsync(string sql, params object[] args)
    {
        var value = 0L;
        for (var i = 0; i < 100 && (value = await CountAsync(sql, args)) == 0; i++)
        {
            await Task.Delay(100);
        }

        return value;
    }

    public static int FreePort() => TestPorts.Free();
}
