using CallCenter.Agent.Web.Callbacks;
using CallCenter.Callbacks.Execution;
using CallCenter.Telephony.Outbound;

namespace CallCenter.Agent.Web.Tests.Callbacks;

/// <summary>How the host maps callback kinds to scripts and outbound outcomes to dial outcomes.</summary>
public sealed class SipCallbackDialerTests
{
    [Theory]
    [InlineData("pickup_reminder", "pickup_reminder.wav", "12")]
    [InlineData("repair_followup", "survey.wav", "123459")]
    [InlineData("complaint_followup", "complaint_followup.wav", "123459")]
    public void EveryAutomatedKindHasItsPromptAndTheKeysItsPolicyReads(string kind, string prompt, string keys)
    {
        var script = SipCallbackDialer.ScriptFor(kind).ShouldNotBeNull();
        (script.Prompt, script.ValidDigits).ShouldBe((prompt, keys));
        File.Exists(Path.Combine(CallCenter.TestSupport.TestEnvironment.RepositoryRoot, "src", "Telephony", "Prompts", prompt)).ShouldBeTrue();
    }

    [Fact]
    public void AKindWithoutAScriptGetsNone() => SipCallbackDialer.ScriptFor("promise").ShouldBeNull();

    [Theory]
    [InlineData(OutboundOutcome.Answered, DialOutcome.Answered)]
    [InlineData(OutboundOutcome.Busy, DialOutcome.Busy)]
    [InlineData(OutboundOutcome.NoAnswer, DialOutcome.NoAnswer)]
    [InlineData(OutboundOutcome.Rejected, DialOutcome.Rejected)]
    [InlineData(OutboundOutcome.Failed, DialOutcome.Failed)]
    public void OutboundOutcomesMapOneToOne(OutboundOutcome outbound, DialOutcome dial) => SipCallbackDialer.Map(outbound).ShouldBe(dial);
}
