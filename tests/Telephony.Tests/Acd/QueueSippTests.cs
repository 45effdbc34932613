using CallCenter.Agent.Web.Calls;
using CallCenter.Callbacks;
using CallCenter.Callbacks.Policies;
using CallCenter.Callbacks.Requests;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.TestSupport;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Tests.Acd;

/// <summary>
/// Queued callers through the real softswitch with sipp over loopback, on a line whose max wait is one second, and
/// the host's <see cref="QueueCallbacks"/> following the softswitch's bus as it does in the web host.
/// </summary>
[Collection(SoftswitchGroup.Name)]
public sealed class QueueSippTests(SoftswitchFixture fx)
{
    private const string QueueNumber = "8008107000";

    /// <summary>The queue test line; its welcome prompt is a half-second piece so the queue starts quickly.</summary>
    private Task EnsureLineAsync() => fx.ExecuteAsync("""
        INSERT INTO service_lines (code, name_zh, name_en, welcome_prompt, max_wait_seconds)
        VALUES ('queuetest', '排队测试', 'Queue tests', 'queue_n_1.wav', 1) ON CONFLICT (code) DO NOTHING;
        INSERT INTO toll_free_numbers (number, service_line_id) SELECT @QueueNumber, id FROM service_lines WHERE code = 'queuetest'
        ON CONFLICT DO NOTHING;
        """, new { QueueNumber });

    private QueueCallbacks Bridge() => new(fx.Events,
        new CallbackRequests(fx.DataSource, new PolicyCatalog(fx.DataSource, Options.Create(new CallbacksOptions()), TimeProvider.System),
            TimeProvider.System, NullLogger<CallbackRequests>.Instance),
        fx.DataSource, Options.Create(new QueueCallbackOptions { ReconcileIntervalSeconds = 3600 }), TimeProvider.System, NullLogger<QueueCallbacks>.Instance);

    private async Task<(string Kind, string SourceType, string Destination)> WaitForCallbackAsync(Guid callId)
    {
        for (var i = 0; i < 100; i++)
        {
            await using var conn = await fx.DataSource.OpenConnectionAsync();
            var row = await conn.QuerySingleOrDefaultAsync<(string, string, string)?>(
                "SELECT kind, source_type, destination FROM callbacks WHERE source_id = @id", new { id = callId.ToString() });
            if (row is { } r)
            {
                return r;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("no callback request for call " + callId);
    }

    [PostgresFact]
    public async Task ACallerWhoPressesOneAtTheOfferIsHungUpOnPolitelyAndGetsAQueueCallback()
    {
        await EnsureLineAsync();
        var bridge = Bridge();
        await bridge.StartAsync(CancellationToken.None);
        var chosen = new List<QueueCallbackRequested>();
        var queued = new List<CallQueued>();
        using var listening = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = Task.Run(async () =>
        {
            await foreach (var e in fx.Events.SubscribeAsync(cancellationToken: listening.Token))
            {
                if (e is CallQueued q)
                {
                    queued.Add(q);
                }
                else if (e is QueueCallbackRequested c)
                {
                    chosen.Add(c);
                    return;
                }
            }
        });
        try
        {
            var xml = Sipp.Scenario("queue-dtmf.xml")
                .Replace("@AUDIO@", Sipp.Pcap("g711a.pcap"), StringComparison.Ordinal)
                .Replace("@DTMF@", Sipp.Pcap("dtmf_2833_1.pcap"), StringComparison.Ordinal)
                .Replace("@PAUSE@", "9000", StringComparison.Ordinal);

            var (code, output) = await Sipp.RunAsync(fx.SipPort, xml, "13711110001", QueueNumber, "queue-dtmf-1", timeoutSeconds: 50);

            code.ShouldBe(0, output);
            var call = await fx.WaitForEndedCallAsync("queue-dtmf-1");
            call.Queued.ShouldBeTrue();
            call.Disposition.ShouldBe("callback_offered");
            call.EndedBy.ShouldBe("system");
            await events.WaitAsync(TimeSpan.FromSeconds(30));
            chosen.ShouldHaveSingleItem().CallerNumber.ShouldBe("13711110001");
            queued.Single(q => q.CallId == call.Id).Position.ShouldBe(1); // nobody else waits on the test line
            (await WaitForCallbackAsync(call.Id)).ShouldBe(("queue_callback", "queue", "13711110001"));
        }
        finally
        {
            await listening.CancelAsync();
            await bridge.StopAsync(CancellationToken.None);
        }
    }

    [PostgresFact]
    public async Task ACallerWhoHangsUpWhileQueuedIsAbandonedAndGetsACallbackOnceEvenAfterAReconciliation()
    {
        await EnsureLineAsync();
        var bridge = Bridge();
        await bridge.StartAsync(CancellationToken.None);
        try
        {
            var xml = Sipp.Scenario("pcap-call.xml").Replace("@PCAP@", Sipp.Pcap("g711a.pcap"), StringComparison.Ordinal)
                .Replace("@PAUSE@", "4000", StringComparison.Ordinal);

            var (code, output) = await Sipp.RunAsync(fx.SipPort, xml, "13711110002", QueueNumber, "queue-abandon-1");

            code.ShouldBe(0, output);
            var call = await fx.WaitForEndedCallAsync("queue-abandon-1");
            call.Queued.ShouldBeTrue();
            call.Disposition.ShouldBe("abandoned");
            call.EndedBy.ShouldBe("caller");
            (await WaitForCallbackAsync(call.Id)).ShouldBe(("abandoned", "call", "13711110002"));
            await bridge.ReconcileAsync(CancellationToken.None);
            (await fx.QuerySingleAsync<int>("SELECT count(*)::int FROM callbacks WHERE destination = '13711110002'")).ShouldBe(1);
        }
        finally
        {
            await bridge.StopAsync(CancellationToken.None);
        }
    }
}
