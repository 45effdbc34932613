using System.Text;
using CallCenter.Telephony.Sip;

namespace CallCenter.Telephony.Tests.Sip;

public sealed class SipParserTests
{
    private static SipParseResult Parse(string text, bool stream = false) =>
        SipParser.Parse(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n")), stream);

    private const string Options = """
        OPTIONS sip:8008101000@example.com SIP/2.0
        v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc
        f: "Zhang San" <sip:13700000001@example.net>;tag=1
        t: <sip:8008101000@example.com>
        i: compact@192.0.2.1
        CSeq: 7 OPTIONS
        l: 0


        """;

    [Fact]
    public void CompactHeaderNamesAreExpandedToTheirLongForms()
    {
        var m = Parse(Options).Message.ShouldBeOfType<SipRequest>();

        m.CallId.ShouldBe("compact@192.0.2.1");
        m.CSeq.ShouldBe((7L, "OPTIONS"));
        m.TopVia!.Branch.ShouldBe("z9hG4bKabc");
        NameAddress.TryParse(m.Get("From")!, out var from).ShouldBeTrue();
        from.DisplayName.ShouldBe("Zhang San");
    }

    [Fact]
    public void HeaderNamesAreCaseInsensitiveAndFoldedValuesAreJoined()
    {
        var m = Parse(Options.Replace("CSeq: 7 OPTIONS", "cSEQ:\r\n   7\r\n\tOPTIONS", StringComparison.Ordinal)).Message!;

        m.CSeq.ShouldBe((7L, "OPTIONS"));
    }

    [Fact]
    public void ARequestWrittenAndParsedAgainKeepsItsHeadersAndBody()
    {
        var request = new SipRequest("INFO", "sip:a@b");
        request.Add("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx");
        request.Add("From", "<sip:c@d>;tag=1");
        request.Add("To", "<sip:a@b>");
        request.Add("Call-ID", "rt");
        request.Add("CSeq", "2 INFO");
        request.Body = Encoding.UTF8.GetBytes("body 中文");

        var again = SipParser.Parse(request.ToBytes()).Message.ShouldBeOfType<SipRequest>();

        again.Method.ShouldBe("INFO");
        again.Get("Content-Length").ShouldBe(request.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Encoding.UTF8.GetString(again.Body).ShouldBe("body 中文");
    }

    [Fact]
    public void AResponseCopiesViaFromCallIdCSeqAndTagsTheTo()
    {
        var request = Parse(Options).Message.ShouldBeOfType<SipRequest>();

        var r = SipResponse.For(request, 200, toTag: "xyz");

        r.Get("Via").ShouldBe(request.Get("Via"));
        r.Get("To").ShouldBe("<sip:8008101000@example.com>;tag=xyz");
        r.CallId.ShouldBe(request.CallId);
        SipResponse.For(request, 100, toTag: "xyz").Get("To").ShouldBe("<sip:8008101000@example.com>");
    }

    [Theory]
    [InlineData("CSeq: 7 OPTIONS", "CSeq: abc OPTIONS")]
    [InlineData("CSeq: 7 OPTIONS", "CSeq: 7 INVITE")]
    [InlineData("i: compact@192.0.2.1\r\n", "")]
    [InlineData("l: 0", "l: -1")]
    [InlineData("l: 0", "l: 99")]
    [InlineData("v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc", "v: SIP/2.0/UDP")]
    public void AMalformedRequestIsRejectedWith400(string from, string to)
    {
        var text = Options.ReplaceLineEndings("\r\n").Replace(from, to, StringComparison.Ordinal);
        var result = SipParser.Parse(Encoding.UTF8.GetBytes(text));

        result.Outcome.ShouldBe(SipParseOutcome.Rejected);
        result.RejectStatus.ShouldBe(400);
    }

    [Fact]
    public void OnAStreamAMessageIsIncompleteUntilItsBodyArrivesAndFramingFindsItsEnd()
    {
        var full = Encoding.UTF8.GetBytes(Options.ReplaceLineEndings("\r\n").Replace("l: 0", "l: 4", StringComparison.Ordinal).TrimEnd('\r', '\n') + "\r\n\r\nabcdNEXT");

        SipParser.Parse(full.AsSpan(0, full.Length - 6), stream: true).Outcome.ShouldBe(SipParseOutcome.Incomplete);
        var length = SipParser.FrameLength(full);
        length.ShouldBe(full.Length - 4);
        var m = SipParser.Parse(full.AsSpan(0, length), stream: true);
        m.Outcome.ShouldBe(SipParseOutcome.Message);
        Encoding.ASCII.GetString(m.Message!.Body).ShouldBe("abcd");
    }

    [Fact]
    public void CrlfAloneIsAKeepAlive()
    {
        SipParser.Parse("\r\n\r\n"u8).Outcome.ShouldBe(SipParseOutcome.KeepAlive);
    }

    [Fact]
    public void AHeaderSectionOver16KbIsRejectedWithoutBeingRead()
    {
        var big = Options.ReplaceLineEndings("\r\n").Replace("l: 0", "X: " + new string('a', 17_000) + "\r\nl: 0", StringComparison.Ordinal);

        SipParser.Parse(Encoding.UTF8.GetBytes(big)).Outcome.ShouldBe(SipParseOutcome.Rejected);
    }

    [Fact]
    public void TelUrisAndEscapedUsersGiveDigitsForTheDnisLookup()
    {
        SipUri.TryParse("tel:+86-800-810-1000;phone-context=example.com", out var tel).ShouldBeTrue();
        SipText.DigitsOnly(tel.User).ShouldBe("868008101000");
        SipUri.TryParse("sip:800%38101000@example.com;user=phone", out var sip).ShouldBeTrue();
        SipText.DigitsOnly(sip.User).ShouldBe("8008101000");
        SipText.DigitsOnly("800';DROP TABLE calls;--").ShouldBeNull();
    }
}
