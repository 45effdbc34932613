using CallCenter.Callbacks;
using CallCenter.Callbacks.DialChild;
using CallCenter.Callbacks.Execution;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

// Usage: DialChild <connection string> <node name> hang|quartz
//   hang:   one sweep with a dialer that never returns (the test kills this process mid-dial)
//   quartz: a clustered Quartz node that prints each dial, until the test kills it (bounded to 10 minutes)
if (args.Length != 3 || args[2] is not ("hang" or "quartz"))
{
    Console.Error.WriteLine("usage: DialChild <connection string> <node name> hang|quartz");
    return 2;
}

var (connectionString, node, mode) = (args[0], args[1], args[2]);
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Callbacks:NodeName"] = node,
    // Fault tests run at any hour: the whole day is calling time.
    ["Callbacks:CallingHoursStart"] = "00:00:00",
    ["Callbacks:CallingHoursEnd"] = "23:59:59.9999999",
    ["Callbacks:SweepIntervalMilliseconds"] = "500",
    ["Callbacks:ReconcileIntervalSeconds"] = "5",
    ["ConnectionStrings:CallCenter"] = mode == "quartz" ? connectionString : null,
});
builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
builder.Services.AddSingleton<ICallbackDialer>(mode == "hang" ? new HangingDialer() : new PrintingDialer(node));
builder.AddCallbacks();
using var host = builder.Build();

if (mode == "hang")
{
    var dispatcher = host.Services.GetRequiredService<DialDispatcher>();
    Console.WriteLine("SWEEP " + await dispatcher.SweepAsync(CancellationToken.None));
    await Task.Delay(TimeSpan.FromMinutes(5));
    return 1;
}

await host.StartAsync();
Console.WriteLine("STARTED " + node);
await Task.Delay(TimeSpan.FromMinutes(10));
await host.StopAsync();
return 0;
