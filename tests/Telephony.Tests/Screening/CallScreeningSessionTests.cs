using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>Per-call accumulation: required phrases (domain.md §6) and customer-side escalation cues (§4, §5).</summary>
[Collection(ScreeningGroup.Name)]
public sealed class CallScreeningSessionTests(ScreeningFixture fixture)
{
    private CallScreeningSession NewCall() => new(fixture.Engine, fixture.Catalog.Lexicon);

    [Fact]
    public void ACompliantCallPassesGreetingNeedAndClosing()
    {
        var call = NewCall();
        call.Add(Speaker.Agent, "您好!我是77号,竭诚为您服务,我有什么可以帮助您?");
        call.Add(Speaker.Customer, "我的电脑屏幕有个亮点");
        call.Add(Speaker.Agent, "您是说屏幕上有一个亮点,对吗?");
        call.Add(Speaker.Agent, "好的,已经为您登记,请问还有其他问题吗?");
        call.Add(Speaker.Customer, "没有了,谢谢");
        call.Add(Speaker.Agent, "感谢您的来电,再见");
        call.RequiredResults().ShouldAllBe(r => r.Passed);
        call.RequiredResults().First(r => r.Check == "greeting").UtteranceIndex.ShouldBe(0);
    }

    [Fact]
    public void AGreetingLaterThanTheFirstAgentUtteranceDoesNotCount()
    {
        var call = NewCall();
        call.Add(Speaker.Agent, "喂,什么事?");
        call.Add(Speaker.Agent, "您好,请讲");
        var results = call.RequiredResults();
        results.First(r => r.Check == "greeting").Passed.ShouldBeFalse();
        results.First(r => r.Check == "need").Passed.ShouldBeFalse();
        results.First(r => r.Check == "closing").Passed.ShouldBeFalse();
    }

    [Fact]
    public void AClosingEarlyInTheCallIsNotAClosing()
    {
        var call = NewCall();
        call.Add(Speaker.Agent, "您好,请问有什么可以帮您?");
        call.Add(Speaker.Agent, "还有其他问题吗?");
        call.Add(Speaker.Agent, "好的,我帮您查一下");
        call.Add(Speaker.Agent, "查到了,是上周寄出的");
        call.RequiredResults().First(r => r.Check == "closing").Passed.ShouldBeFalse();
    }

    [Fact]
    public void AgentTabooHitsComeBackPerUtteranceAndCustomerWordsDoNot()
    {
        var call = NewCall();
        call.Add(Speaker.Customer, "你骂我干什么").Hits.ShouldNotContain(h => h.Kind == RuleKind.Taboo);
        call.Add(Speaker.Agent, "你骂我干什么?又不是我搞错的。").Hits.Select(h => h.Code).ShouldContain("TB69");
    }

    [Fact]
    public void ARegulatorThreatEscalatesToS1AtOnce()
    {
        var call = NewCall();
        var result = call.Add(Speaker.Customer, "再不解决我就打12315投诉你们,还要找媒体曝光");
        result.Escalated.ShouldNotBeNull().Level.ShouldBe("S1");
        result.Hits.Select(h => h.Code).ShouldContain("CC02");
        result.Hits.Select(h => h.Code).ShouldContain("CC03");
    }

    [Fact]
    public void AReturnDemandIsS2AndALaterLegalThreatRaisesItToS1()
    {
        var call = NewCall();
        call.Add(Speaker.Customer, "我不要货了,我要退货!").Escalated.ShouldNotBeNull().Level.ShouldBe("S2");
        call.Add(Speaker.Customer, "还是退货").Escalated.ShouldBeNull(); // same level: no second alert
        call.Add(Speaker.Customer, "我会请律师").Escalated.ShouldNotBeNull().Level.ShouldBe("S1");
    }

    [Fact]
    public void RepeatedAngerWordsEscalateWhereOneDoesNot()
    {
        var call = NewCall();
        call.Add(Speaker.Customer, "真是气死我了").Escalated.ShouldNotBeNull().Level.ShouldBe("S3");
        var second = call.Add(Speaker.Customer, "你们太过分了");
        second.Escalated.ShouldNotBeNull().Level.ShouldBe("S2");
        second.Escalated.RepeatedAnger.ShouldBeTrue();
    }

    [Fact]
    public void AnAgentHTabooEscalatesTheCallToS2ButAnMTabooDoesNot()
    {
        var call = NewCall();
        call.Add(Speaker.Agent, "今天实在是忙不过来").Escalated.ShouldBeNull(); // TB70 is M
        var result = call.Add(Speaker.Agent, "你爱买不买");
        result.Escalated.ShouldNotBeNull().Level.ShouldBe("S2");
        result.Escalated.Cues.ShouldHaveSingleItem().Code.ShouldBe("TB73");
    }

    [Fact]
    public void AgentTextNeverRaisesCustomerCues()
    {
        var call = NewCall();
        call.Add(Speaker.Agent, "如果您对处理结果不满意,也可以拨打12315");
        call.Escalation.ShouldBeNull();
    }
}
