using System.Text;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Sip;

/// <summary>
/// Hostile and odd input over real loopback UDP against the running softswitch: torture messages get the right
/// answer or none, garbage is dropped, and the process keeps answering OPTIONS afterwards.
/// </summary>
[Collection(SoftswitchGroup.Name)]
public sealed class ResilienceTests(SoftswitchFixture fx)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(3);

    private async Task StillAnswersOptionsAsync()
    {
        using var probe = new UdpSipClient(fx.SipPort);
        probe.Send(UdpSipClient.Options(fx.SipPort, Guid.NewGuid().ToString("N")));
        var r = await probe.FinalResponseAsync(Wait);
        r.ShouldNotBeNull("the softswitch must keep answering OPTIONS");
        r.StatusCode.ShouldBe(200);
        r.Get("Allow").ShouldNotBeNull().ShouldContain("INVITE");
    }

    [PostgresTheory]
    [InlineData("wsinv", 481)]      // a To tag makes it mid-dialog, and there is no such dialog
    [InlineData("intmeth", 501)]
    [InlineData("esc01", 404)]
    [InlineData("escnull", 401)]     // REGISTER: challenged before anything else (issue 4)
    [InlineData("esc02", 501)]
    [InlineData("lwsdisp", 200)]
    [InlineData("longreq", 404)]
    [InlineData("dblreq", 401)]
    [InlineData("semiuri", 200)]
    [InlineData("transports", 200)]
    [InlineData("mpart01", 200)]
    [InlineData("inv2543", 404)]
    [InlineData("badbranch", 200)]
    [InlineData("badinv01", 400)]
    [InlineData("clerr", 400)]
    [InlineData("ncl", 400)]
    [InlineData("scalar02", 400)]
    [InlineData("quotbal", 400)]
    [InlineData("baddate", 400)]
    [InlineData("regbadct", 400)]
    [InlineData("badaspec", 400)]
    [InlineData("baddn", 400)]
    [InlineData("badvers", 505)]
    [InlineData("mismatch01", 400)]
    [InlineData("mismatch02", 400)]
    [InlineData("multi01", 400)]
    [InlineData("mcl01", 400)]
    [InlineData("escruri", 400)]
    [InlineData("unkscm", 416)]
    [InlineData("novelsc", 416)]
    [InlineData("unksm2", 401)]
    [InlineData("bext01", 420)]
    [InlineData("invut", 415)]
    [InlineData("regaut01", 401)]    // RFC 4475: credentials for an unknown realm get a fresh challenge
    [InlineData("zeromf", 483)]
    [InlineData("sdp01", 406)]
    public async Task ATortureMessageOverUdpGetsTheExpectedAnswer(string name, int status)
    {
        using var client = new UdpSipClient(fx.SipPort);

        client.Send(TortureTests.Load(name));

        var response = await client.FinalResponseAsync(Wait);
        response.ShouldNotBeNull(name + " must be answered");
        response.StatusCode.ShouldBe(status);
        await StillAnswersOptionsAsync();
    }

    [PostgresTheory]
    [InlineData("unreason")]   // responses to nothing we sent
    [InlineData("noreason")]
    [InlineData("scalarlg")]
    [InlineData("bigcode")]
    [InlineData("insuf")]      // no From/To/Call-ID: nothing to address an answer to
    [InlineData("ltgtruri")]   // broken request lines cannot be answered reliably
    [InlineData("lwsruri")]
    [InlineData("lwsstart")]
    [InlineData("trws")]
    public async Task AnUnanswerableTortureMessageIsDroppedSilently(string name)
    {
        using var client = new UdpSipClient(fx.SipPort);

        client.Send(TortureTests.Load(name));

        (await client.FinalResponseAsync(TimeSpan.FromMilliseconds(500))).ShouldBeNull();
        await StillAnswersOptionsAsync();
    }

    [PostgresFact]
    public async Task GarbageEmptyTruncatedAndOversizedDatagramsAreDroppedAndOptionsStillWorks()
    {
        using var client = new UdpSipClient(fx.SipPort);
        var random = new Random(4475);
        var sizes = new[] { 1, 7, 100, 1400, 9000, 30000, 65000, 2, 513, 65507 };
        foreach (var size in sizes)
        {
            var junk = new byte[size];
            random.NextBytes(junk);
            client.Send(junk);
        }

        client.Send([]);
        client.Send("HELLO WORLD");
        client.Send("SIP/3.0");
        client.Send("SIP/2.0 abc");
        client.Send("\r\n\r\n");
        var invite = Encoding.UTF8.GetString(TortureTests.Load("inv2543"));
        client.Send(invite[..(invite.Length / 2)]); // truncated mid-header
        client.Send("INVITE sip:8008101000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKbig\r\n"
            + string.Concat(Enumerable.Repeat("X-Filler: " + new string('x', 1000) + "\r\n", 20)) + "\r\n"); // 20 KB header section
        client.Send("INVITE sip:8008101000@127.0.0.1 SIP/2.0\r\nheader without colon\r\n\r\n");

        (await client.FinalResponseAsync(TimeSpan.FromMilliseconds(500))).ShouldBeNull("garbage gets no answer");
        await StillAnswersOptionsAsync();
    }

    [PostgresFact]
    public async Task AByeForAnUnknownDialogGets481AndAnUnknownMethodGets501()
    {
        using var client = new UdpSipClient(fx.SipPort);
        var options = UdpSipClient.Options(fx.SipPort, "x1");

        client.Send(options.Replace("OPTIONS", "BYE", StringComparison.Ordinal).Replace("To: <sip:127.0.0.1>", "To: <sip:127.0.0.1>;tag=nope", StringComparison.Ordinal));
        (await client.FinalResponseAsync(Wait))!.StatusCode.ShouldBe(481);

        client.Send(options.Replace("OPTIONS", "SUBSCRIBE", StringComparison.Ordinal));
        var r = await client.FinalResponseAsync(Wait);
        r!.StatusCode.ShouldBe(501);
        r.Get("Allow").ShouldNotBeNull();
    }

    [PostgresFact]
    public async Task BadSdpGets488()
    {
        string[] bodies =
        [
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n",                                  // no m=
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n",
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 99999999999 RTP/AVP 0\r\n",
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 999.1.1.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
            "",
        ];
        var n = 0;
        foreach (var body in bodies)
        {
            using var client = new UdpSipClient(fx.SipPort);
            var text = $"INVITE sip:8008101000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{client.LocalPort};branch=z9hG4bKsdp{n++}{Guid.NewGuid():N}\r\n"
                + $"From: <sip:13711110000@127.0.0.1>;tag=a\r\nTo: <sip:8008101000@127.0.0.1>\r\nCall-ID: badsdp-{Guid.NewGuid():N}\r\nCSeq: 1 INVITE\r\n"
                + $"Content-Type: application/sdp\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
            client.Send(Encoding.UTF8.GetBytes(text));
            var r = await client.FinalResponseAsync(TimeSpan.FromSeconds(5));
            r.ShouldNotBeNull();
            r.StatusCode.ShouldBe(488, body);
        }

        await StillAnswersOptionsAsync();
    }
}
