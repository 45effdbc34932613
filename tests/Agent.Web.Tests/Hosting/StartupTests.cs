using System.Runtime.InteropServices;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Hosting;

public sealed class StartupTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AnUnreachableDatabaseGivesAClearErrorAndNoStackTrace()
    {
        using var host = HostProcess.Start(new Dictionary<string, string?>
        {
            ["ConnectionStrings__CallCenter"] = "Host=127.0.0.1;Port=1;Database=callcenter;Username=cc;Timeout=3",
            ["Urls"] = "http://127.0.0.1:0",
        });

        var exitCode = await host.WaitForExitAsync(Patience);

        exitCode.ShouldBe(2);
        host.Output.ShouldContain("CallCenter cannot start");
        host.Output.ShouldContain("PostgreSQL at 127.0.0.1:1");
        host.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task AMalformedConnectionStringGivesAClearErrorWithoutEchoingIt()
    {
        using var host = HostProcess.Start(new Dictionary<string, string?>
        {
            ["ConnectionStrings__CallCenter"] = "Host=127.0.0.1;Password=hunter2;Bogus Key=1",
            ["Urls"] = "http://127.0.0.1:0",
        });

        var exitCode = await host.WaitForExitAsync(Patience);

        exitCode.ShouldBe(2);
        host.Output.ShouldContain("not a valid PostgreSQL connection string");
        host.Output.ShouldNotContain("hunter2");
        host.Output.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task AMissingConnectionStringSaysWhatToSet()
    {
        using var host = HostProcess.Start(new Dictionary<string, string?> { ["Urls"] = "http://127.0.0.1:0" });

        var exitCode = await host.WaitForExitAsync(Patience);

        exitCode.ShouldBe(2);
        host.Output.ShouldContain("ConnectionStrings__CallCenter");
    }

    [Fact]
    public async Task InvalidOptionsAreReportedAtStartUp()
    {
        using var host = HostProcess.Start(new Dictionary<string, string?>
        {
            ["ConnectionStrings__CallCenter"] = "Host=127.0.0.1;Port=1;Database=callcenter;Username=cc;Timeout=3",
            ["Telephony__Rtp__PortMin"] = "30000",
            ["Telephony__Rtp__PortMax"] = "20000",
            ["Urls"] = "http://127.0.0.1:0",
        });

        var exitCode = await host.WaitForExitAsync(Patience);

        exitCode.ShouldBe(2);
        host.Output.ShouldContain("Telephony:Rtp:PortMin must be below Telephony:Rtp:PortMax");
        host.Output.ShouldNotContain("   at ");
    }

    [PostgresFact]
    public async Task SigtermStopsTheHostGracefully()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var host = HostProcess.Start(new Dictionary<string, string?>
        {
            ["ConnectionStrings__CallCenter"] = db.ConnectionString,
            ["Urls"] = "http://127.0.0.1:0",
        });
        await host.WaitForOutputAsync("Application started", Patience);

        kill(host.Id, 15).ShouldBe(0);
        var exitCode = await host.WaitForExitAsync(Patience);

        exitCode.ShouldBe(0);
        host.Output.ShouldContain("Application is shutting down");
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable CA5392, SYSLIB1054 // libc is resolved by the runtime's default probing; a plain P/Invoke is enough for a test.
    private static extern int kill(int pid, int signal);
#pragma warning restore CA5392, SYSLIB1054
}
