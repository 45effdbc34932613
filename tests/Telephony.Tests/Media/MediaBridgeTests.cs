using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sdp;
using CallCenter.Telephony.Tests.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace CallCenter.Telephony.Tests.Media;

/// <summary>
/// Two real RtpSessions on loopback bridged together; the far ends are plain UDP sockets sending real speech
/// (the customer in µ-law, the agent in A-law) and checking, sample by sample, what arrives on the other side.
/// </summary>
public sealed class MediaBridgeTests : IAsyncLifetime
{
    private const int Frame = 160;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private static readonly int PortBase = 41000 + (Random.Shared.Next(0, 400) * 10);
    private readonly RtpPortPool _pool = new(IPAddress.Loopback, PortBase, PortBase + 9);
    private readonly Socket _customerPhone = Bind();
    private readonly Socket _agentPhone = Bind();
    private readonly string _dir = Directory.CreateTempSubdirectory("bridge-").FullName;
    private RtpSession _customer = null!;
    private RtpSession _agent = null!;

    public Task InitializeAsync()
    {
        _customer = Session(AudioCodec.Pcmu, _customerPhone);
        _agent = Session(AudioCodec.Pcma, _agentPhone);
        return Task.CompletedTask;
    }

    private RtpSession Session(AudioCodec codec, Socket farEnd)
    {
        var lease = _pool.Rent() ?? throw new InvalidOperationException("no RTP port");
        var agreement = new SdpAgreement(codec, 101, (IPEndPoint)farEnd.LocalEndPoint!, "sendrecv");
        var session = new RtpSession(lease, agreement, IPAddress.Loopback, null, _ => { }, new MediaMetrics(_services.GetRequiredService<IMeterFactory>()),
            TimeProvider.System);
        session.Start();
        return session;
    }

    private static Socket Bind()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    private static short[] Speech(string clip, int frames) => TestAudio.Telephone(TestAudio.Clip(clip))[..(frames * Frame)];

    /// <summary>The far end sends <paramref name="pcm"/> as 20 ms RTP frames in its codec, a little faster than real time.</summary>
    private static async Task SendAsync(Socket phone, int toPort, AudioCodec codec, short[] pcm, int firstFrame = 0)
    {
        var to = new IPEndPoint(IPAddress.Loopback, toPort);
        var payload = new byte[Frame];
        var packet = new byte[12 + Frame];
        for (var i = 0; i * Frame < pcm.Length; i++)
        {
            var f = firstFrame + i;
            MediaBridge.Encode(codec, pcm.AsSpan(i * Frame, Frame), payload);
            var n = RtpHeader.Write(packet, i == 0, (int)codec, (ushort)(1000 + f), (uint)(50_000 + (f * Frame)), 0x1234_5678u + (uint)codec, payload);
            await phone.SendToAsync(packet.AsMemory(0, n), SocketFlags.None, to);
            await Task.Delay(5);
        }
    }

    /// <summary>Receives RTP at a far end until <paramref name="frames"/> arrived or nothing came for a while; decodes it.</summary>
    private static async Task<(List<short> Pcm, List<RtpHeader> Headers)> ReceiveAsync(Socket phone, AudioCodec expected, int frames, TimeSpan quiet)
    {
        var pcm = new List<short>();
        var headers = new List<RtpHeader>();
        var buffer = new byte[2048];
        var decoded = new short[1024];
        while (headers.Count < frames)
        {
            using var cts = new CancellationTokenSource(quiet);
            int n;
            try
            {
                n = await phone.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            RtpHeader.TryParse(buffer.AsSpan(0, n), out var h).ShouldBeTrue();
            h.PayloadType.ShouldBe((int)expected);
            var payload = buffer.AsSpan(h.PayloadOffset, h.PayloadLength);
            if (expected == AudioCodec.Pcmu)
            {
                G711.DecodeUlaw(payload, decoded);
            }
            else
            {
                G711.DecodeAlaw(payload, decoded);
            }

            pcm.AddRange(decoded.AsSpan(0, h.PayloadLength));
            headers.Add(h);
        }

        return (pcm, headers);
    }

    /// <summary>What a far end hears when <paramref name="sent"/> crossed µ-law/A-law as <paramref name="from"/> then <paramref name="to"/>.</summary>
    private static short[] Through(short[] sent, AudioCodec from, AudioCodec to)
    {
        var one = new byte[1];
        var s = new short[1];
        return sent.Select(x =>
        {
            MediaBridge.Encode(from, [x], one);
            var first = from == AudioCodec.Pcmu ? G711.DecodeUlaw(one[0]) : G711.DecodeAlaw(one[0]);
            MediaBridge.Encode(to, [first], one);
            s[0] = to == AudioCodec.Pcmu ? G711.DecodeUlaw(one[0]) : G711.DecodeAlaw(one[0]);
            return s[0];
        }).ToArray();
    }

    private static short[] Decoded(short[] sent, AudioCodec codec) => Through(sent, codec, codec);

    private static int IndexOf(short[] haystack, short[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        return -1;
    }

    [Fact]
    public async Task SpeechCrossesTheBridgeBothWaysTranscodedAndTheStereoRecordingHoldsEachSideOnItsChannel()
    {
        const int frames = 60;
        var customerSpeech = Speech("zh01_firered_aishell_BAC009S0764W0121.wav", frames);
        var agentSpeech = Speech("zh02_firered_IT0011W0001.wav", frames);
        var stereoPath = Path.Combine(_dir, "call-stereo.wav");
        var tapped = new List<short>();
        _customer.Tap = (_, pcm) => { lock (tapped) { tapped.AddRange(pcm); } };
        using var stereo = new StereoWavWriter(stereoPath, TimeProvider.System);
        int relayedToAgent, relayedToCustomer;
        using (var bridge = new MediaBridge(_customer, _agent, stereo))
        {
            bridge.Start();
            var atAgent = ReceiveAsync(_agentPhone, AudioCodec.Pcma, frames, TimeSpan.FromSeconds(2));
            var atCustomer = ReceiveAsync(_customerPhone, AudioCodec.Pcmu, frames, TimeSpan.FromSeconds(2));
            await Task.WhenAll(
                SendAsync(_customerPhone, _customer.LocalPort, AudioCodec.Pcmu, customerSpeech),
                SendAsync(_agentPhone, _agent.LocalPort, AudioCodec.Pcma, agentSpeech));
            var (agentHeard, agentHeaders) = await atAgent.WaitAsync(Wait);
            var (customerHeard, customerHeaders) = await atCustomer.WaitAsync(Wait);

            // The jitter buffer keeps the last few frames until the session ends; everything before arrives, in order.
            agentHeaders.Count.ShouldBeGreaterThanOrEqualTo(frames - 3);
            customerHeaders.Count.ShouldBeGreaterThanOrEqualTo(frames - 3);
            agentHeard.ShouldBe(Through(customerSpeech, AudioCodec.Pcmu, AudioCodec.Pcma)[..agentHeard.Count]);
            customerHeard.ShouldBe(Through(agentSpeech, AudioCodec.Pcma, AudioCodec.Pcmu)[..customerHeard.Count]);

            // Each leg is sent with its own SSRC and consecutive sequence numbers and timestamps.
            agentHeaders.Select(h => h.Ssrc).Distinct().Count().ShouldBe(1);
            customerHeaders[0].Ssrc.ShouldNotBe(agentHeaders[0].Ssrc);
            for (var i = 1; i < agentHeaders.Count; i++)
            {
                ((ushort)(agentHeaders[i].Sequence - agentHeaders[i - 1].Sequence)).ShouldBe((ushort)1);
                (agentHeaders[i].Timestamp - agentHeaders[i - 1].Timestamp).ShouldBe((uint)Frame);
            }

            agentHeaders[0].Marker.ShouldBeTrue();
            bridge.FramesSentTo(CallLeg.Agent).ShouldBe(agentHeaders.Count);
            relayedToAgent = agentHeard.Count;
            relayedToCustomer = customerHeard.Count;
        }

        await _customer.DisposeAsync();
        await _agent.DisposeAsync();
        stereo.Dispose();

        // A tap set before bridging (live transcription) still gets the customer's audio.
        tapped.ToArray().ShouldBe(Decoded(customerSpeech, AudioCodec.Pcmu));
        // The stereo file holds what was bridged: the frames relayed before the bridge ended.
        var (left, right) = StereoWavWriter.ReadChannels(stereoPath);
        var customerOnLeft = Decoded(customerSpeech, AudioCodec.Pcmu)[..relayedToAgent];
        var agentOnRight = Decoded(agentSpeech, AudioCodec.Pcma)[..relayedToCustomer];
        var l = IndexOf(left, customerOnLeft);
        var r = IndexOf(right, agentOnRight);
        l.ShouldBeGreaterThanOrEqualTo(0, "the customer's speech is on the left channel, whole and in order");
        r.ShouldBeGreaterThanOrEqualTo(0, "the agent's speech is on the right channel, whole and in order");
        IndexOf(left, agentOnRight[..Frame]).ShouldBe(-1);
        left[..l].ShouldAllBe(s => s == 0);
        right[..r].ShouldAllBe(s => s == 0);
        // Both started talking together: their channels are aligned on the call timeline within a few frames.
        Math.Abs(l - r).ShouldBeLessThan(8000);
    }

    [Fact]
    public async Task WhileTheCustomerHoldsNothingIsSentToTheCustomerButTheAgentStillHearsThem()
    {
        const int frames = 30;
        var customerSpeech = Speech("zh05_wenet_aishell_BAC009S0724W0121.wav", frames);
        var agentSpeech = Speech("zh06_wenet_nst_ID001.wav", frames);
        using var bridge = new MediaBridge(_customer, _agent, null);
        bridge.Start();
        bridge.SetHeld(CallLeg.Customer, true);
        bridge.IsHeld(CallLeg.Customer).ShouldBeTrue();
        var atAgent = ReceiveAsync(_agentPhone, AudioCodec.Pcma, frames, TimeSpan.FromSeconds(2));
        var atCustomer = ReceiveAsync(_customerPhone, AudioCodec.Pcmu, frames, TimeSpan.FromSeconds(2));
        await Task.WhenAll(
            SendAsync(_customerPhone, _customer.LocalPort, AudioCodec.Pcmu, customerSpeech),
            SendAsync(_agentPhone, _agent.LocalPort, AudioCodec.Pcma, agentSpeech));
        (await atAgent.WaitAsync(Wait)).Headers.Count.ShouldBeGreaterThanOrEqualTo(frames - 3);
        (await atCustomer.WaitAsync(Wait)).Headers.ShouldBeEmpty();
        bridge.FramesSentTo(CallLeg.Customer).ShouldBe(0);

        // Resumed: the agent's audio reaches the customer again, marked as a new talkspurt.
        bridge.SetHeld(CallLeg.Customer, false);
        var resumed = ReceiveAsync(_customerPhone, AudioCodec.Pcmu, 5, TimeSpan.FromSeconds(2));
        await SendAsync(_agentPhone, _agent.LocalPort, AudioCodec.Pcma, agentSpeech[..(10 * Frame)], firstFrame: frames);
        var (_, headers) = await resumed.WaitAsync(Wait);
        headers.Count.ShouldBe(5);
        headers[0].Marker.ShouldBeTrue();
    }

    [Fact]
    public async Task ADisposedBridgeStopsRelayingAndGivesTheSessionsTheirTapsBack()
    {
        AudioTap before = (_, _) => { };
        _agent.Tap = before;
        var bridge = new MediaBridge(_customer, _agent, null);
        bridge.Start();
        _agent.Tap.ShouldNotBe(before);
        bridge.Dispose();
        _agent.Tap.ShouldBe(before);
        _customer.Tap.ShouldBeNull();
        var atAgent = ReceiveAsync(_agentPhone, AudioCodec.Pcma, 1, TimeSpan.FromMilliseconds(800));
        await SendAsync(_customerPhone, _customer.LocalPort, AudioCodec.Pcmu, Speech("zh06_wenet_nst_ID001.wav", 10));
        (await atAgent.WaitAsync(Wait)).Headers.ShouldBeEmpty();
    }

    public async Task DisposeAsync()
    {
        await _customer.DisposeAsync();
        await _agent.DisposeAsync();
        _customerPhone.Dispose();
        _agentPhone.Dispose();
        await _services.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
