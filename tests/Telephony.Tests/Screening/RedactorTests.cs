using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>reliability.md I-16 and the §4 table: cards, IDs, other mobiles, CVV and SMS codes, in digits and Chinese numerals.</summary>
[Collection(ScreeningGroup.Name)]
public sealed class RedactorTests(ScreeningFixture fixture)
{
    private Redactor Redactor(RedactionOptions? options = null) => new(fixture.Catalog.Lexicon, options ?? new RedactionOptions());

    [Theory]
    [InlineData("我的卡号是6222021234567894", "我的卡号是[CARD]")]
    [InlineData("卡号 6222 0212 3456 7894 对吧", "卡号 [CARD] 对吧")]
    [InlineData("卡号是六二二二零二一二三四五六七八九四", "卡号是[CARD]")]
    [InlineData("身份证号11010519491231002X", "身份证号[ID]")]
    [InlineData("身份证是幺幺零幺零五幺九四九幺二三幺零零二x", "身份证是[ID]")]
    [InlineData("您打这个号码13987654321联系他", "您打这个号码[PHONE…4321]联系他")]
    [InlineData("我另一个手机是幺三九八七六五四三二幺", "我另一个手机是[PHONE…4321]")]
    [InlineData("卡背面的安全码是三七五", "卡背面的安全码是[CVV]")]
    [InlineData("CVV是 123", "CVV是 [CVV]")]
    [InlineData("验证码是六六八八", "验证码是[CODE]")]
    [InlineData("短信验证码 4 8 2 9 1 6", "短信验证码 [CODE]")]
    public void SensitiveNumbersAreMasked(string text, string expected) =>
        Redactor().Redact(text, callerNumber: "13812345678").Text.ShouldBe(expected);

    [Theory]
    [InlineData("我的号码就是13812345678")]
    [InlineData("打幺三八一二三四五六七八就行")]
    [InlineData("两三天就能修好")]
    [InlineData("我要打12315投诉")]
    [InlineData("二零二六年买的")]
    [InlineData("卡号是6222021234567890")]
    [InlineData("身份证号110105194912310021")]
    [InlineData("订单号是一二三四五六")]
    public void TheCallersOwnNumberAndOrdinaryNumbersStay(string text) =>
        Redactor().Redact(text, callerNumber: "+86 138-1234-5678").Text.ShouldBe(text);

    [Fact]
    public void EachEntityCanBeSwitchedOff()
    {
        const string text = "卡号6222021234567894,手机13987654321";
        Redactor(new RedactionOptions { BankCards = false }).Redact(text).Text.ShouldBe("卡号6222021234567894,手机[PHONE…4321]");
        Redactor(new RedactionOptions { Enabled = false }).Redact(text).Text.ShouldBe(text);
    }

    [Fact]
    public void RedactionsReportEntitiesAndOriginalOffsets()
    {
        const string text = "卡号6222021234567894";
        var redaction = Redactor().Redact(text).Redactions.ShouldHaveSingleItem();
        redaction.Entity.ShouldBe("card");
        text.Substring(redaction.Start, redaction.Length).ShouldBe("6222021234567894");
    }

    [Fact]
    public void LuhnAndModElevenTwoChecksAreExact()
    {
        Redactor_Luhn("6222021234567894").ShouldBeTrue();
        Redactor_Luhn("6222021234567895").ShouldBeFalse();
        CallCenter.Telephony.Screening.Redactor.IsIdNumber("44030419900307123X").ShouldBeTrue();
        CallCenter.Telephony.Screening.Redactor.IsIdNumber("440304199003071231").ShouldBeFalse();
    }

    private static bool Redactor_Luhn(string digits) => CallCenter.Telephony.Screening.Redactor.Luhn(digits);
}
