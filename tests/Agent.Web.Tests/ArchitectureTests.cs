using System.Reflection;

namespace CallCenter.Agent.Web.Tests;

/// <summary>Module boundaries from style.md: the host references everything, the libraries not each other.</summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Telephony = typeof(CallCenter.Telephony.TelephonyModule).Assembly;
    private static readonly Assembly Callbacks = typeof(CallCenter.Callbacks.CallbacksModule).Assembly;

    [Fact]
    public void CallbacksReferencesNoOtherCallCenterModule() =>
        CallCenterReferences(Callbacks).ShouldBeEmpty();

    [Fact]
    public void TelephonyReferencesNoOtherCallCenterModule() =>
        CallCenterReferences(Telephony).ShouldBeEmpty();

    [Fact]
    public void TheHostComposesBothModules() =>
        CallCenterReferences(typeof(Program).Assembly).ShouldBe(["CallCenter.Callbacks", "CallCenter.Telephony"], ignoreOrder: true);

    private static List<string> CallCenterReferences(Assembly assembly) => assembly.GetReferencedAssemblies()
        .Select(a => a.Name!)
        .Where(n => n.StartsWith("CallCenter.", StringComparison.Ordinal))
        .ToList();
}
