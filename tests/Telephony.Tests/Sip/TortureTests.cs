using CallCenter.Telephony.Sip;

namespace CallCenter.Telephony.Tests.Sip;

/// <summary>The RFC 4475 torture corpus (see Sip/Torture/README.md for its provenance) at the parser level.</summary>
public sealed class TortureTests
{
    public static byte[] Load(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Sip", "Torture", name + ".dat"));

    [Theory]
    [InlineData("wsinv")]
    [InlineData("intmeth")]
    [InlineData("esc01")]
    [InlineData("escnull")]
    [InlineData("esc02")]
    [InlineData("lwsdisp")]
    [InlineData("longreq")]
    [InlineData("dblreq")]
    [InlineData("semiuri")]
    [InlineData("transports")]
    [InlineData("mpart01")]
    [InlineData("unreason")]
    [InlineData("noreason")]
    [InlineData("inv2543")]
    [InlineData("badbranch")]
    [InlineData("unkscm")]
    [InlineData("novelsc")]
    [InlineData("unksm2")]
    [InlineData("bext01")]
    [InlineData("invut")]
    [InlineData("regaut01")]
    [InlineData("zeromf")]
    [InlineData("sdp01")]
    [InlineData("escruri")]
    public void AValidTortureMessageParses(string name)
    {
        var result = SipParser.Parse(Load(name));

        result.Outcome.ShouldBe(SipParseOutcome.Message, result.Error);
        result.Message.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("badinv01", 400)]
    [InlineData("clerr", 400)]
    [InlineData("ncl", 400)]
    [InlineData("scalar02", 400)]
    [InlineData("scalarlg", 400)]
    [InlineData("quotbal", 400)]
    [InlineData("ltgtruri", 400)]
    [InlineData("lwsruri", 400)]
    [InlineData("lwsstart", 400)]
    [InlineData("trws", 400)]
    [InlineData("baddate", 400)]
    [InlineData("regbadct", 400)]
    [InlineData("badaspec", 400)]
    [InlineData("baddn", 400)]
    [InlineData("badvers", 505)]
    [InlineData("mismatch01", 400)]
    [InlineData("mismatch02", 400)]
    [InlineData("bigcode", 400)]
    [InlineData("insuf", 400)]
    [InlineData("multi01", 400)]
    [InlineData("mcl01", 400)]
    public void AnInvalidTortureMessageIsRejected(string name, int status)
    {
        var result = SipParser.Parse(Load(name));

        result.Outcome.ShouldBe(SipParseOutcome.Rejected);
        result.RejectStatus.ShouldBe(status);
        result.Error.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void TheTortuousInviteYieldsItsFoldedAndCompactHeaders()
    {
        var m = (SipRequest)SipParser.Parse(Load("wsinv")).Message!;

        m.Method.ShouldBe("INVITE");
        m.CSeq.ShouldBe((9L, "INVITE"));
        m.Get("Max-Forwards").ShouldBe("0068");
        m.GetAll("Via").Count.ShouldBe(3);
        m.TopVia!.Host.ShouldBe("192.0.2.2");
        m.GetAll("Via")[1].ShouldStartWith("SIP  / 2.0  / TCP");
        ViaHeader.TryParse(m.GetAll("Via")[1], out var tcp).ShouldBeTrue();
        tcp.Transport.ShouldBe("TCP");
        tcp.Branch.ShouldBe("z9hG4bK9ikj8");
        NameAddress.TryParse(m.Get("To")!, out var to).ShouldBeTrue();
        to.Tag.ShouldBe("1918181833n");
        NameAddress.TryParse(m.Get("From")!, out var from).ShouldBeTrue();
        from.DisplayName.ShouldBe("J Rosenberg \\\"");
        from.Tag.ShouldBe("98asjd8");
        m.Get("NewFangledHeader").ShouldBe("newfangled value continued newfangled value");
        m.Get("Subject").ShouldBe("");
        m.GetAll("Contact").ShouldHaveSingleItem();
        m.Body.Length.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void OctetsAfterTheDeclaredBodyOfADatagramAreIgnored()
    {
        var m = SipParser.Parse(Load("dblreq")).Message!;

        ((SipRequest)m).Method.ShouldBe("REGISTER");
        m.Body.ShouldBeEmpty();
    }

    [Fact]
    public void EscapesInTheRequestUriUserAreDecodedButAPercentThatIsNoEscapeStays()
    {
        var esc01 = (SipRequest)SipParser.Parse(Load("esc01")).Message!;
        SipUri.TryParse(esc01.RequestUri, out var uri).ShouldBeTrue();
        uri.User.ShouldBe("sips:user@example.com");

        var esc02 = (SipRequest)SipParser.Parse(Load("esc02")).Message!;
        esc02.Method.ShouldBe("RE%47IST%45R");
        NameAddress.TryParse(esc02.Get("To")!, out var to).ShouldBeTrue();
        to.DisplayName.ShouldBe("%Z%45");
    }

    [Fact]
    public void ASemicolonInTheUserPartStaysInTheUser()
    {
        var m = (SipRequest)SipParser.Parse(Load("semiuri")).Message!;

        SipUri.TryParse(m.RequestUri, out var uri).ShouldBeTrue();
        uri.User.ShouldBe("user;par=u@example.net");
        uri.Host.ShouldBe("example.com");
    }

    [Fact]
    public void AResponseWithAnEmptyReasonPhraseParses()
    {
        var r = (SipResponse)SipParser.Parse(Load("noreason")).Message!;

        r.StatusCode.ShouldBe(100);
        r.Reason.ShouldBe("");
    }
}
