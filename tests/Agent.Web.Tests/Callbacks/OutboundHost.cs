using System.Globalization;
using CallCenter.Callbacks.Policies;
using CallCenter.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CallCenter.Agent.Web.Tests.Callbacks;

/// <summary>
/// The real host set up to dial callbacks through a loopback "trunk" where a test runs sipp as the customer: SIP over
/// UDP on a free port, the callback scheduler on (Quartz sweeping every 300 ms), calling hours and the centre's default
/// business hours (08:00–20:00 China time in the reference data) opened to the whole day, so the tests pass at any
/// hour. Nothing is faked.
/// </summary>
internal static class OutboundHost
{
    public static WebApplicationFactory<Program> Start(string connectionString, string node, int trunkPort, int rtpMin, int rtpMax,
        string recordingsPath, IReadOnlyDictionary<string, string>? extra = null, Action<IServiceCollection>? services = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:CallCenter"] = connectionString,
            ["Database:SeedDemoData"] = "false",
            ["Logs:Directory"] = "",
            ["Telephony:Sip:Enabled"] = "true",
            ["Telephony:Sip:BindAddress"] = "127.0.0.1",
            ["Telephony:Sip:Port"] = TestPorts.Free().ToString(inv),
            ["Telephony:Sip:TcpEnabled"] = "false",
            ["Telephony:Rtp:PortMin"] = rtpMin.ToString(inv),
            ["Telephony:Rtp:PortMax"] = rtpMax.ToString(inv),
            ["Telephony:RecordingsPath"] = recordingsPath,
            ["Telephony:PromptsPath"] = Path.Combine(TestEnvironment.RepositoryRoot, "src", "Telephony", "Prompts"),
            ["Telephony:NodeName"] = node,
            ["Telephony:Outbound:Trunk"] = "127.0.0.1:" + trunkPort.ToString(inv),
            ["Telephony:Outbound:CallerId"] = "4008101000",
            ["Telephony:Outbound:MaxRingSeconds"] = "5",
            ["Telephony:Outbound:DigitTimeoutSeconds"] = "2",
            ["Callbacks:Enabled"] = "true",
            ["Callbacks:SweepIntervalMilliseconds"] = "300",
            ["Callbacks:CallingHoursStart"] = "00:00",
            ["Callbacks:CallingHoursEnd"] = "23:59",
            ["Node:Name"] = node,
            ["Urls"] = "http://127.0.0.1:0", // never appsettings' 5000: parallel test classes and other services use it
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>())
        {
            settings[k] = v;
        }

        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Development");
            foreach (var (k, v) in settings)
            {
                b.UseSetting(k, v);
            }

            if (services is not null)
            {
                b.ConfigureTestServices(services);
            }
        });
        _ = factory.Server; // starts the host: migrations, SIP listener, Quartz
        using (var open = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
                   "UPDATE business_hours SET opens = '00:00', closes = '23:59:59.999999' WHERE service_line_id IS NULL"))
        {
            open.ExecuteNonQuery();
        }

        factory.Services.GetRequiredService<PolicyCatalog>().Invalidate();
        return factory;
    }
}
