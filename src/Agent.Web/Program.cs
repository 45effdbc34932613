using CallCenter.Agent.Web.Api;
using CallCenter.Agent.Web.Data;
using CallCenter.Agent.Web.Calls;
using CallCenter.Agent.Web.Hosting;
using CallCenter.Callbacks;
using CallCenter.Telephony;
using Serilog;

// Command-line tools share the host's engines but need no database or web server.
if (args is ["screen", ..])
{
    return await CallCenter.Telephony.Screening.ScreenCommand.RunAsync(args, Console.Out);
}

if (args is [CallCenter.Telephony.Transcription.TranscribeCommand.Name, ..])
{
    return await CallCenter.Telephony.Transcription.TranscribeCommand.RunAsync(args, Console.Out);
}

// Plain logger until configuration is read, so start-up failures are still logged (stack.md §5).
Log.Logger = LoggingSetup.CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddCallCenterLogging();
    builder.AddCallCenterHosting();
    builder.AddDatabase();
    builder.AddTelephony();
    builder.AddCallbacks();
    builder.Services.AddSingleton<CallCenter.Callbacks.Execution.ICallbackDialer, CallCenter.Agent.Web.Callbacks.SipCallbackDialer>();
    builder.Services.AddHostedService<CallCenter.Agent.Web.Calls.PromiseBridge>();
    builder.AddQueueCallbacks();
    builder.Services.AddHostedService<CallCenter.Agent.Web.Supervisor.ServiceLevelGauges>();
    builder.AddCallCenterApi();

    var app = builder.Build();
    app.UseCallCenterApi();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException && StartupErrors.Describe(ex) is { } message)
{
    // Known configuration or connection problems: one clear line, no stack trace.
    Log.Fatal("CallCenter cannot start: {Reason}", message);
    return 2;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "CallCenter stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
