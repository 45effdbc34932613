using CallCenter.Callbacks.Execution;
using CallCenter.Callbacks.Policies;

namespace CallCenter.Callbacks.Tests.Execution;

public sealed class DestinationRulesTests
{
    private static readonly CallbacksOptions Defaults = new();

    [Theory]
    [InlineData("13812345678")]
    [InlineData("+86 138-1234-5678")]
    [InlineData("008613812345678")]
    [InlineData("8613812345678")]
    [InlineData("01088886666")]
    [InlineData("075588886666")]
    public void MainlandMobileAndFixedLinesAreAllowed(string number) =>
        DestinationRules.Check(number, Defaults).ShouldBe(DestinationVerdict.Allowed);

    [Theory]
    [InlineData("+12025550123", DestinationVerdict.International)]
    [InlineData("0088216123456", DestinationVerdict.International)]
    [InlineData("+882161234567", DestinationVerdict.International)]
    [InlineData("16812345678", DestinationVerdict.Premium)]
    [InlineData("95555", DestinationVerdict.Premium)]
    [InlineData("4008123123", DestinationVerdict.Premium)]
    [InlineData("12590123456", DestinationVerdict.Premium)]
    [InlineData("10086", DestinationVerdict.ShortCode)]
    [InlineData("12345678901", DestinationVerdict.NotMainland)]
    [InlineData("138;DROP TABLE", DestinationVerdict.Malformed)]
    [InlineData("", DestinationVerdict.Malformed)]
    public void TollFraudDestinationsAreRefused(string number, DestinationVerdict verdict) =>
        DestinationRules.Check(number, Defaults).ShouldBe(verdict);

    [Fact]
    public void InternationalAndPremiumNeedExplicitPermission()
    {
        var open = new CallbacksOptions { AllowInternational = true, AllowPremium = true };
        DestinationRules.Check("+12025550123", open).ShouldBe(DestinationVerdict.Allowed);
        DestinationRules.Check("16812345678", open).ShouldBe(DestinationVerdict.Allowed);
    }

    [Theory]
    [InlineData("1", "confirmed", null)]
    [InlineData("2", "call_later", null)]
    [InlineData("", "answered", null)]
    public void PickupDtmfConfirmsOrAsksForLater(string digits, string outcome, int? score) =>
        OutcomeRecorder.Interpret(Tests.Policies.AttemptPlannerTests.Pickup, new DialResult(DialOutcome.Answered, digits)).ShouldBe((outcome, score));

    [Fact]
    public void ASurveyDigitIsTheSatisfactionScore()
    {
        var survey = CallbackPolicy.From("repair_followup", "automated", 5, 2, "{}");
        OutcomeRecorder.Interpret(survey, new DialResult(DialOutcome.Answered, "4")).ShouldBe(("survey_completed", (int?)4));
        OutcomeRecorder.Interpret(survey, new DialResult(DialOutcome.Answered, "9")).ShouldBe(("call_later", (int?)null));
        OutcomeRecorder.Interpret(survey, new DialResult(DialOutcome.Busy)).ShouldBe(("busy", (int?)null));
    }
}
