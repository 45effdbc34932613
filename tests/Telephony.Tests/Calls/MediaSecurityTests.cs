using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sdp;
using CallCenter.Telephony.Sip;
using CallCenter.Telephony.Tests.Sip;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>
/// A caller on real loopback sockets: its RTP and DTMF reach the recording and the event bus, while packets
/// injected from another port are dropped and counted, and malformed RTP does not disturb the call.
/// </summary>
[Collection(SoftswitchGroup.Name)]
public sealed class MediaSecurityTests(SoftswitchFixture fx)
{
    [PostgresFact]
    public async Task OnlyTheNegotiatedSourceIsRecordedAndOnlyItsDigitsAreSurfaced()
    {
        using var caller = new UdpSipClient(fx.SipPort);
        using var media = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        media.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var mediaPort = ((IPEndPoint)media.LocalEndPoint!).Port;
        var callId = Guid.NewGuid().ToString("N") + "@media";
        long foreignDrops = 0, malformedDrops = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Name == "callcenter.rtp.dropped")
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, v, tags, _) =>
        {
            foreach (var t in tags)
            {
                if (t.Value as string == "foreign_source")
                {
                    Interlocked.Add(ref foreignDrops, v);
                }
                else if (t.Value as string == "malformed")
                {
                    Interlocked.Add(ref malformedDrops, v);
                }
            }
        });
        listener.Start();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var digits = new List<char>();
        var subscribed = new TaskCompletionSource();
        var collector = Task.Run(async () =>
        {
            await foreach (var e in fx.Events.SubscribeAsync(cancellationToken: cts.Token).WithCancellation(cts.Token))
            {
                subscribed.TrySetResult();
                if (e is DtmfReceived d)
                {
                    lock (digits)
                    {
                        digits.Add(d.Digit);
                    }
                }
            }
        }, cts.Token);

        var sdp = $"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {mediaPort} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
        var head = $"SIP/2.0/UDP 127.0.0.1:{caller.LocalPort}";
        caller.Send($"INVITE sip:{SoftswitchFixture.RepairsNumber}@127.0.0.1 SIP/2.0\r\nVia: {head};branch=z9hG4bKinv{Guid.NewGuid():N}\r\n"
            + $"From: <sip:13799990000@127.0.0.1>;tag=c1\r\nTo: <sip:{SoftswitchFixture.RepairsNumber}@127.0.0.1>\r\nCall-ID: {callId}\r\nCSeq: 1 INVITE\r\n"
            + $"Contact: <sip:13799990000@127.0.0.1:{caller.LocalPort}>\r\nContent-Type: application/sdp\r\nContent-Length: {sdp.Length}\r\n\r\n{sdp}");
        var ok = await caller.FinalResponseAsync(TimeSpan.FromSeconds(10));
        ok.ShouldNotBeNull();
        ok.StatusCode.ShouldBe(200);
        SdpSession.TryParse(ok.Body, out var answer, out _).ShouldBeTrue();
        var ourPort = answer.Media[0].Port;
        var to = ok.Get("To")!;
        caller.Send($"ACK sip:{SoftswitchFixture.RepairsNumber}@127.0.0.1 SIP/2.0\r\nVia: {head};branch=z9hG4bKack{Guid.NewGuid():N}\r\n"
            + $"From: <sip:13799990000@127.0.0.1>;tag=c1\r\nTo: {to}\r\nCall-ID: {callId}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
        await Task.Run(() => subscribed.Task.Wait(TimeSpan.FromMilliseconds(200)));

        var server = new IPEndPoint(IPAddress.Loopback, ourPort);
        var packet = new byte[12 + 160];
        var ssrc = 0x1234u;
        for (var i = 0; i < 50; i++)
        {
            var payload = Enumerable.Repeat((byte)(0x20 + (i % 16)), 160).ToArray();
            media.SendTo(packet.AsSpan(0, RtpHeader.Write(packet, i == 0, 0, (ushort)i, (uint)(i * 160), ssrc, payload)), server);
            // Injection: same payload type and plausible numbers, from another port.
            var forged = Enumerable.Repeat((byte)0x7E, 160).ToArray();
            attacker.SendTo(packet.AsSpan(0, RtpHeader.Write(packet, false, 0, (ushort)i, (uint)(i * 160), ssrc, forged)), server);
            await Task.Delay(2);
        }

        byte[] malformed = [0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // CC = 15 on a 14-byte packet
        media.SendTo(malformed, server);
        for (var r = 0; r < 3; r++)
        {
            media.SendTo(packet.AsSpan(0, RtpHeader.Write(packet, r == 0, 101, (ushort)(50 + r), 50 * 160, ssrc, [5, 0x80 | 10, 0, 160])), server);
            attacker.SendTo(packet.AsSpan(0, RtpHeader.Write(packet, r == 0, 101, (ushort)(50 + r), 50 * 160, ssrc, [9, 0x80 | 10, 0, 160])), server);
        }

        await Task.Delay(300);
        caller.Send($"BYE sip:{SoftswitchFixture.RepairsNumber}@127.0.0.1 SIP/2.0\r\nVia: {head};branch=z9hG4bKbye{Guid.NewGuid():N}\r\n"
            + $"From: <sip:13799990000@127.0.0.1>;tag=c1\r\nTo: {to}\r\nCall-ID: {callId}\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
        var call = await fx.WaitForEndedCallAsync(callId);
        await cts.CancelAsync();
        await collector.ContinueWith(_ => { }, TaskScheduler.Default);

        call.EndedBy.ShouldBe("caller");
        lock (digits)
        {
            digits.ShouldBe(['5']);
        }

        Interlocked.Read(ref foreignDrops).ShouldBeGreaterThanOrEqualTo(53);
        Interlocked.Read(ref malformedDrops).ShouldBeGreaterThanOrEqualTo(1);
        var path = await fx.QuerySingleAsync<string>("SELECT path FROM recordings WHERE call_id = @Id", new { call.Id });
        var recorded = WavReader.ReadMono8k(path);
        recorded.Length.ShouldBe(50 * 160);
        for (var i = 0; i < 50; i++)
        {
            recorded[i * 160].ShouldBe(G711.DecodeUlaw((byte)(0x20 + (i % 16))), "frame " + i);
        }
    }

    [PostgresFact]
    public async Task AFloodFromOneAddressDoesNotStarveAnother()
    {
        // The flooder uses 127.0.0.2, so its bucket is not the one the other tests share on 127.0.0.1.
        using var flooder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        flooder.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var server = new IPEndPoint(IPAddress.Loopback, fx.SipPort);
        var answered = 0;
        for (var i = 0; i < 1000; i++)
        {
            flooder.SendTo(Encoding.ASCII.GetBytes(UdpSipClient.Options(fx.SipPort, "flood" + i).ReplaceLineEndings("\r\n")), server);
        }

        var buffer = new byte[4096];
        using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                while (true)
                {
                    await flooder.ReceiveAsync(buffer, SocketFlags.None, drain.Token);
                    answered++;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        using var victim = new UdpSipClient(fx.SipPort);
        victim.Send(UdpSipClient.Options(fx.SipPort, "victim"));
        var r = await victim.FinalResponseAsync(TimeSpan.FromSeconds(3));

        answered.ShouldBeLessThan(500, "the flooder's bucket (burst 100, 50/s) must cut off most of the 1000");
        answered.ShouldBeGreaterThan(0);
        r.ShouldNotBeNull();
        r.StatusCode.ShouldBe(200);
    }
}
