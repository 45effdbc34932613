using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CallCenter.Agent.Web.Tests;

/// <summary>The real host on a fresh test database with the demo data; SIP off so tests never fight over ports.</summary>
public sealed class CallCenterFactory(string connectionString) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:CallCenter", connectionString);
        builder.UseSetting("Database:SeedDemoData", "true");
        builder.UseSetting("Logs:Directory", "");
        builder.UseSetting("Telephony:Sip:Enabled", "false");
        builder.UseSetting("Callbacks:Enabled", "false");
    }
}
