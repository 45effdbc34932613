using System.Globalization;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.Telephony.Tests.Pipeline;
using CallCenter.Telephony.Transcription;
using CallCenter.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.Agent.Web.Tests.Calls;

/// <summary>
/// The host with SIP on a free loopback port, for calls placed by sipp: agent1's phone is a sipp UAS registered with
/// the demo credentials, the caller a sipp UAC. Speech is espeak-ng Mandarin sent as G.711 RTP from pcaps.
/// </summary>
public abstract class SipHostFixture : WebAppFixture
{
    public const string CallerText = "我的手机从昨天开始就一直开不了机";

    public const string AgentText = "这是厂家的事";

    public static readonly short[] CallerSpeech = SpeechAudio.Mandarin(CallerText);

    public static readonly short[] AgentSpeech = SpeechAudio.Mandarin(AgentText);

    public int SipPort { get; } = TestPorts.Free();

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
    }

    public async Task<long> EventuallyAsync(string sql, params object[] args)
    {
        var value = 0L;
        for (var i = 0; i < 150 && (value = await CountAsync(sql, args)) == 0; i++)
        {
            await Task.Delay(100);
        }

        return value;
    }

    /// <summary>
    /// Starts agent1's phone (rings <paramref name="answerMs"/>, answers in PCMU, speaks the agent's sentence after
    /// <paramref name="speakMs"/>, hangs up <paramref name="hangupMs"/> later) and registers it with digest auth.
    /// </summary>
    public async Task<Task<(int ExitCode, string Output)>> StartAgentPhoneAsync(DirectoryInfo work, int answerMs, int speakMs, int hangupMs)
    {
        ArgumentNullException.ThrowIfNull(work);
        var uasPort = TestPorts.Free();
        var pcap = Path.Combine(work.FullName, "agent.pcap");
        RtpPcap.Write(pcap, AgentSpeech, alaw: false);
        var inv = CultureInfo.InvariantCulture;
        var phone = Sipp.RunServerAsync(Sipp.Scenario("agent-uas-speech.xml")
                .Replace("@ANSWER@", answerMs.ToString(inv), StringComparison.Ordinal).Replace("@SPEAK@", speakMs.ToString(inv), StringComparison.Ordinal)
                .Replace("@HANGUP@", hangupMs.ToString(inv), StringComparison.Ordinal).Replace("@PCAP@", pcap, StringComparison.Ordinal),
            uasPort, 26000 + (Random.Shared.Next(0, 500) * 2), 90);
        var register = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "scripts", "sipp", "demo-register.xml"))
            .Replace("@USER@", "agent1", StringComparison.Ordinal).Replace("@PASSWORD@", Password, StringComparison.Ordinal)
            .Replace("@EXPIRES@", "300", StringComparison.Ordinal)
            .Replace("[local_ip]:[local_port]>", "127.0.0.1:" + uasPort.ToString(inv) + ">", StringComparison.Ordinal);
        var (regExit, regOutput) = await Sipp.RunAsync(SipPort, register, "agent1", "x", "reg-" + Guid.NewGuid().ToString("N")[..8] + "@test");
        regExit.ShouldBe(0, regOutput);
        (await EventuallyAsync("SELECT count(*) FROM agents WHERE username = 'agent1' AND state = 'available'")).ShouldBe(1, "registering made agent1 available");
        return phone;
    }

    /// <summary>A demo customer (13700137003) calls the repairs line and says the caller's sentence after <paramref name="waitMs"/>.</summary>
    public Task<(int ExitCode, string Output)> StartCaller(DirectoryInfo work, string sipCallId, int waitMs)
    {
        ArgumentNullException.ThrowIfNull(work);
        var pcap = Path.Combine(work.FullName, "caller.pcap");
        RtpPcap.Write(pcap, CallerSpeech, alaw: true);
        return Sipp.RunAsync(SipPort, Sipp.Scenario("bridged-pcap-call.xml")
            .Replace("@PCAP@", pcap, StringComparison.Ordinal).Replace("@WAIT@", waitMs.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal),
            "13700137003", "8008101000", sipCallId, timeoutSeconds: 90);
    }
}

/// <summary>
/// On Kestrel for Chromium, with a FAKE transcriber at the ITranscriber seam that returns the known sentence of the
/// clip nearest in length (no Whisper weights exist on our machines); VAD, storage, screening and push are real.
/// </summary>
public sealed class LiveCallFixture : SipHostFixture
{
    protected override bool UseKestrel => true;

    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ITranscriber>(new ScriptedTranscriber([(CallerSpeech.Length, CallerText), (AgentSpeech.Length, AgentText)]));
            services.AddSingleton(new TranscriptionStatus(TranscriptionMode.Whisper));
        });
    }
}

/// <summary>The managed Whisper engine on whisper.cpp's synthetic micro model (../shared/whisper-reference): real inference, meaningless text.</summary>
public sealed class RealEngineCallFixture : SipHostFixture
{
    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        builder.UseSetting("Transcription:ModelPath", Path.Combine(TestEnvironment.SharedDirectory, "whisper-reference", "synthetic-micro-f16.bin"));
    }
}
