using System.Globalization;
using CallCenter.Agent.Web.Tests.Calls;
using CallCenter.Telephony.Media;
using CallCenter.TestSupport;
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

    [PostgresFact]
    public async Task ASippCallRingsTheRegisteredAgentWhosePagePopsTheCustomerBeforeAnsweringThenShowsBothLegsAndTheTabooHint()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, TimeoutMs);
        var agent = await OpenAsync(browser, "agent1", "**/agent");
        var errors = new List<string>();
        agent.PageError += (_, e) => errors.Add(e);
        await agent.Locator("body[data-hub=connected]").WaitForAsync();
        var supervisor = await OpenAsync(browser, "supervisor", "**/supervisor");
        await supervisor.Locator("body[data-loaded=true]").WaitForAsync();

        // agent1's phone rings 5 s before answering; the caller speaks once the agent has answered.
        var work = Directory.CreateTempSubdirectory("cc-live-");
        var phone = await app.StartAgentPhoneAsync(work, answerMs: 5000, speakMs: 9000, hangupMs: 5000);
        var sipCallId = "live-" + Guid.NewGuid().ToString("N")[..10];
        var caller = app.StartCaller(work, sipCallId, waitMs: 14000);

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
        await agent.Locator("#tr-customer p", new() { HasText = SipHostFixture.CallerText }).First.WaitForAsync();
        await agent.Locator("#tr-agent p", new() { HasText = SipHostFixture.AgentText }).First.WaitForAsync();
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
            Loud(left).ShouldBeGreaterThan(SipHostFixture.CallerSpeech.Length / 2, "the caller's speech is on the left channel");
            Loud(right).ShouldBeGreaterThan(SipHostFixture.AgentSpeech.Length / 2, "the agent's speech is on the right channel");
        }

        (await app.CountAsync("""
            SELECT count(*) FROM screening_hits h JOIN screening_rules r ON r.id = h.rule_id
             WHERE h.call_id = $1 AND h.speaker = 'agent' AND r.kind = 'taboo' AND r.phrase LIKE '%厂家的事%'
            """, callId)).ShouldBeGreaterThan(0, "the hit is stored with the seed rule for 这是厂家的事");
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
        await Chromium.LogInAsync(page, user);
        await page.WaitForURLAsync(url);
        return page;
    }
}
