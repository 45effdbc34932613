namespace CallCenter.Callbacks.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void TheCallbacksModuleReferencesNoOtherCallCenterProject()
    {
        // style.md §3: Callbacks talks to the world through ICallbackDialer and the database only.
        typeof(CallbacksModule).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name)
            .Where(n => n is not null && n.StartsWith("CallCenter.", StringComparison.Ordinal))
            .ShouldBeEmpty();
    }
}
