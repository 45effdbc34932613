using System.Diagnostics.Metrics;
using System.Net;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallCenter.Telephony.Tests.Sip;

/// <summary>The INVITE client transaction on the wire against a bare UDP peer playing the agent's phone (RFC 3261 §17.1.1).</summary>
public sealed class InviteClientTransactionTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly UdpSipTransport _udp;
    private readonly SipCore _stack;

    public InviteClientTransactionTests()
    {
        var metrics = new SipMetrics(_services.GetRequiredService<IMeterFactory>());
        var timers = new SipTimers(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500));
        _stack = new SipCore(timers, metrics, new FloodGuard(1000, 1000, new HashSet<IPAddress>(), TimeProvider.System),
            TimeProvider.System, NullLogger<SipCore>.Instance);
        _udp = new UdpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), NullLogger<UdpSipTransport>.Instance, metrics);
        _stack.AddTransport(_udp);
        _stack.Start(new NoIncomingRequests());
    }

    private static SipRequest NewInvite(int phonePort)
    {
        var invite = new SipRequest("INVITE", $"sip:agent1@127.0.0.1:{phonePort}");
        invite.Add("From", "<sip:4008001000@127.0.0.1>;tag=ss1");
        invite.Add("To", "<sip:agent1@127.0.0.1>");
        invite.Add("Call-ID", Guid.NewGuid().ToString("N") + "@ring");
        invite.Add("CSeq", "1 INVITE");
        invite.Add("Contact", $"<sip:softswitch@127.0.0.1>");
        invite.Add("Content-Type", "application/sdp");
        invite.Body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8\r\n"u8.ToArray();
        return invite;
    }

    private static SipRemote Phone(UdpSipClient phone) => new(SipTransportKind.Udp, new IPEndPoint(IPAddress.Loopback, phone.LocalPort));

    private static async Task<SipRequest> NextRequestAsync(UdpSipClient phone, string method)
    {
        for (var i = 0; i < 20; i++)
        {
            if (await phone.ReceiveAsync(Wait) is SipRequest r && r.Method == method)
            {
                return r;
            }
        }

        throw new InvalidOperationException("no " + method + " arrived");
    }

    private static void Reply(UdpSipClient phone, SipRequest request, int code) =>
        phone.Send(SipResponse.For(request, code, toTag: "agent-tag").ToBytes());

    [Fact]
    public async Task ARingingPhoneThatAnswersGetsAnAckWithItsTagAndTheCallerSeesBothResponses()
    {
        using var phone = new UdpSipClient(_udp.LocalEndPoint.Port);
        var provisional = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using var tx = _stack.SendInvite(NewInvite(phone.LocalPort), Phone(phone), r => provisional.Enqueue(r.StatusCode));

        var invite = await NextRequestAsync(phone, "INVITE");
        invite.Body.Length.ShouldBeGreaterThan(0, "the INVITE carries our SDP offer");
        Reply(phone, invite, 180);
        Reply(phone, invite, 200);

        var final = await tx.Completion.WaitAsync(Wait);
        final!.StatusCode.ShouldBe(200);
        provisional.ShouldContain(180);
        var ack = await NextRequestAsync(phone, "ACK");
        ack.Get("To")!.ShouldContain("tag=agent-tag");
        ack.CSeq.ShouldBe((1L, "ACK"));
        ack.TopVia!.Branch.ShouldNotBe(invite.TopVia!.Branch, "the ACK of a 2xx is a transaction of its own");

        // A retransmitted 200 (our ACK was lost) is acknowledged again.
        Reply(phone, invite, 200);
        (await NextRequestAsync(phone, "ACK")).CallId.ShouldBe(invite.CallId);
    }

    [Fact]
    public async Task CancellingWhileRingingSendsCancelOnTheSameBranchAndAcksThe487()
    {
        using var phone = new UdpSipClient(_udp.LocalEndPoint.Port);
        using var tx = _stack.SendInvite(NewInvite(phone.LocalPort), Phone(phone));
        var invite = await NextRequestAsync(phone, "INVITE");
        Reply(phone, invite, 180);

        tx.Cancel();
        var cancel = await NextRequestAsync(phone, "CANCEL");
        cancel.TopVia!.Branch.ShouldBe(invite.TopVia!.Branch);
        cancel.CSeq.ShouldBe((1L, "CANCEL"));
        Reply(phone, cancel, 200);
        Reply(phone, invite, 487);

        (await tx.Completion.WaitAsync(Wait))!.StatusCode.ShouldBe(487);
        var ack = await NextRequestAsync(phone, "ACK");
        ack.TopVia!.Branch.ShouldBe(invite.TopVia!.Branch, "the ACK of a non-2xx belongs to the INVITE transaction");
    }

    [Fact]
    public async Task ASilentPhoneSeesTheInviteRetransmittedAndTheTransactionTimesOutWithNoResponse()
    {
        using var phone = new UdpSipClient(_udp.LocalEndPoint.Port);
        using var tx = _stack.SendInvite(NewInvite(phone.LocalPort), Phone(phone));
        var first = await NextRequestAsync(phone, "INVITE");
        var again = await NextRequestAsync(phone, "INVITE");
        again.TopVia!.Branch.ShouldBe(first.TopVia!.Branch, "Timer A retransmits the same request");

        (await tx.Completion.WaitAsync(TimeSpan.FromSeconds(20))).ShouldBeNull("Timer B ends the transaction");
    }

    [Fact]
    public async Task ABusyPhoneEndsTheTransactionWithItsStatusAndGetsAnAck()
    {
        using var phone = new UdpSipClient(_udp.LocalEndPoint.Port);
        using var tx = _stack.SendInvite(NewInvite(phone.LocalPort), Phone(phone));
        var invite = await NextRequestAsync(phone, "INVITE");
        Reply(phone, invite, 486);
        (await tx.Completion.WaitAsync(Wait))!.StatusCode.ShouldBe(486);
        (await NextRequestAsync(phone, "ACK")).Get("To")!.ShouldContain("tag=agent-tag");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await _udp.DisposeAsync();
        await _services.DisposeAsync();
    }

    /// <summary>Fake at the transaction-user seam: these tests only place calls, nothing calls in.</summary>
    private sealed class NoIncomingRequests : ISipUserAgent
    {
        public void OnInvite(ServerTransaction transaction) => transaction.Dispose();

        public void OnAck(SipRequest ack, SipRemote from)
        {
        }

        public void OnCancel(ServerTransaction invite) => invite.Dispose();

        public void OnRequest(ServerTransaction transaction) => transaction.Dispose();

        public void OnAckTimeout(ServerTransaction invite) => invite.Dispose();
    }
}
