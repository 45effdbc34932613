using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sdp;
using CallCenter.Telephony.Sip;
using CallCenter.Telephony.Tests.Sip;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>
/// A small SIP phone for bridge tests (sipp cannot check received RTP sample by sample): UDP signalling to the
/// softswitch, one dialog (as caller or as answering agent), RTP sent from real audio and every received frame
/// decoded and kept. Bounded waits only.
/// </summary>
public sealed class TestPhone : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly UdpSipClient _sip;
    private readonly Socket _rtp = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Channel<SipMessage> _inbox = Channel.CreateUnbounded<SipMessage>();
    private readonly List<SipMessage> _stash = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<short> _heard = [];
    private readonly Task _sipLoop;
    private readonly Task _rtpLoop;
    private readonly string _tag = "ph" + Guid.NewGuid().ToString("N")[..8];
    private int _cseq = 1;
    private ushort _seq = 100;
    private uint _ts = 8000;
    private SipRequest? _invite;   // the dialog's INVITE (ours as caller, the softswitch's as agent)
    private SipResponse? _answer;  // its 200 (as caller)

    public TestPhone(int serverPort, AudioCodec codec)
    {
        Codec = codec;
        _sip = new UdpSipClient(serverPort);
        _rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _sipLoop = Task.Run(SipLoopAsync);
        _rtpLoop = Task.Run(RtpLoopAsync);
    }

    public AudioCodec Codec { get; }

    public int SipPort => _sip.LocalPort;

    public int RtpPort => ((IPEndPoint)_rtp.LocalEndPoint!).Port;

    public string CallId => _invite?.CallId ?? "";

    /// <summary>Where this phone sends RTP (the softswitch's port from the other side's SDP).</summary>
    public IPEndPoint? RemoteMedia { get; private set; }

    public int FramesHeard { get; private set; }

    public short[] Heard
    {
        get
        {
            lock (_heard)
            {
                return [.. _heard];
            }
        }
    }

    private async Task SipLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            if (await _sip.ReceiveAsync(TimeSpan.FromMilliseconds(200)) is { } m)
            {
                await _inbox.Writer.WriteAsync(m);
            }
        }
    }

    private async Task RtpLoopAsync()
    {
        var buffer = new byte[2048];
        var pcm = new short[1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var n = await _rtp.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (!RtpHeader.TryParse(buffer.AsSpan(0, n), out var h) || h.PayloadType != (int)Codec)
                {
                    continue;
                }

                var payload = buffer.AsSpan(h.PayloadOffset, h.PayloadLength);
                if (Codec == AudioCodec.Pcmu)
                {
                    G711.DecodeUlaw(payload, pcm);
                }
                else
                {
                    G711.DecodeAlaw(payload, pcm);
                }

                lock (_heard)
                {
                    _heard.AddRange(pcm.AsSpan(0, h.PayloadLength));
                    FramesHeard++;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    /// <summary>The next message matching <paramref name="match"/>; others are kept for later calls.</summary>
    public async Task<T> NextAsync<T>(Func<T, bool> match, TimeSpan? timeout = null)
        where T : SipMessage
    {
        var found = _stash.OfType<T>().FirstOrDefault(match);
        if (found is not null)
        {
            _stash.Remove(found);
            return found;
        }

        using var cts = new CancellationTokenSource(timeout ?? Wait);
        while (true)
        {
            var m = await _inbox.Reader.ReadAsync(cts.Token);
            if (m is T t && match(t))
            {
                return t;
            }

            _stash.Add(m);
        }
    }

    public Task<SipRequest> RequestAsync(string method, TimeSpan? timeout = null) => NextAsync<SipRequest>(r => r.Method == method, timeout);

    public void Reply(SipRequest request, int status, string? body = null)
    {
        var r = SipResponse.For(request, status, toTag: _tag);
        if (body is not null)
        {
            r.Add("Contact", "<sip:phone@127.0.0.1:" + SipPort.ToString(CultureInfo.InvariantCulture) + ">");
            r.Add("Content-Type", "application/sdp");
            r.Body = Encoding.ASCII.GetBytes(body);
        }

        _sip.Send(r.ToBytes());
    }

    public string Sdp(string direction = "sendrecv") =>
        "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
        $"m=audio {RtpPort} RTP/AVP {(int)Codec} 101\r\na=rtpmap:{(int)Codec} {(Codec == AudioCodec.Pcmu ? "PCMU" : "PCMA")}/8000\r\n" +
        $"a=rtpmap:101 telephone-event/8000\r\na={direction}\r\n";

    /// <summary>As an agent: waits for the softswitch's INVITE and answers it (180 then 200 with our SDP).</summary>
    public async Task<SipRequest> AnswerAsync(TimeSpan? timeout = null)
    {
        var invite = await RequestAsync("INVITE", timeout);
        _invite = invite;
        RemoteMedia = MediaOf(invite.Body);
        Reply(invite, 180);
        Reply(invite, 200, Sdp());
        await RequestAsync("ACK");
        return invite;
    }

    /// <summary>As a caller: INVITE to <paramref name="dialed"/>, wait for the 200, ACK it.</summary>
    public async Task CallAsync(string dialed, string caller = "13700001111")
    {
        var callId = "call-" + Guid.NewGuid().ToString("N");
        var invite = new SipRequest("INVITE", "sip:" + dialed + "@127.0.0.1");
        invite.Add("Via", Via());
        invite.Add("From", "<sip:" + caller + "@127.0.0.1>;tag=" + _tag);
        invite.Add("To", "<sip:" + dialed + "@127.0.0.1>");
        invite.Add("Call-ID", callId);
        invite.Add("CSeq", "1 INVITE");
        invite.Add("Contact", "<sip:" + caller + "@127.0.0.1:" + SipPort.ToString(CultureInfo.InvariantCulture) + ">");
        invite.Add("Max-Forwards", "70");
        invite.Add("Content-Type", "application/sdp");
        invite.Body = Encoding.ASCII.GetBytes(Sdp());
        _invite = invite;
        _sip.Send(invite.ToBytes());
        _answer = await NextAsync<SipResponse>(r => r.CSeq.Method == "INVITE" && r.StatusCode >= 200);
        _answer.StatusCode.ShouldBe(200);
        RemoteMedia = MediaOf(_answer.Body);
        var ack = InDialog("ACK", 1);
        _sip.Send(ack.ToBytes());
    }

    private string Via() => "SIP/2.0/UDP 127.0.0.1:" + SipPort.ToString(CultureInfo.InvariantCulture) + ";branch=" + SipText.NewBranch();

    /// <summary>An in-dialog request from this phone (as caller: From/To of the INVITE; as agent: swapped).</summary>
    public SipRequest InDialog(string method, int? cseq = null)
    {
        var inv = _invite ?? throw new InvalidOperationException("no dialog");
        var asCaller = _answer is not null;
        var target = asCaller
            ? (NameAddress.TryParse(_answer!.Get("Contact") ?? "", out var c) ? c.Uri : inv.RequestUri)
            : (NameAddress.TryParse(inv.Get("Contact") ?? "", out var c2) ? c2.Uri : "sip:127.0.0.1");
        var r = new SipRequest(method, target);
        r.Add("Via", Via());
        r.Add("From", asCaller ? inv.Get("From")! : inv.Get("To") + ";tag=" + _tag);
        r.Add("To", asCaller ? _answer!.Get("To")! : inv.Get("From")!);
        r.Add("Call-ID", inv.CallId);
        r.Add("CSeq", (cseq ?? ++_cseq).ToString(CultureInfo.InvariantCulture) + " " + method);
        r.Add("Max-Forwards", "70");
        r.Add("Contact", "<sip:phone@127.0.0.1:" + SipPort.ToString(CultureInfo.InvariantCulture) + ">");
        return r;
    }

    /// <summary>Sends an in-dialog request and returns its final response.</summary>
    public async Task<SipResponse> SendAsync(SipRequest request)
    {
        _sip.Send(request.ToBytes());
        var cseq = request.CSeq;
        return await NextAsync<SipResponse>(r => r.CSeq == cseq && r.StatusCode >= 200);
    }

    public void Ack(SipRequest invite) => _sip.Send(InDialog("ACK", (int)invite.CSeq.Number).ToBytes());

    /// <summary>ACKs a re-INVITE whose 200 carried an offer, with our SDP answer in the ACK (RFC 3264 late offer).</summary>
    public void Ack(SipRequest invite, string answerSdp)
    {
        var ack = InDialog("ACK", (int)invite.CSeq.Number);
        ack.Add("Content-Type", "application/sdp");
        ack.Body = Encoding.ASCII.GetBytes(answerSdp);
        _sip.Send(ack.ToBytes());
    }

    /// <summary>Sends <paramref name="pcm"/> as 20 ms frames in real time to the softswitch.</summary>
    public async Task SpeakAsync(short[] pcm)
    {
        var to = RemoteMedia ?? throw new InvalidOperationException("no media yet");
        var payload = new byte[160];
        var packet = new byte[12 + 160];
        var ssrc = (uint)(0x10000 + RtpPort);
        for (var i = 0; i + 160 <= pcm.Length; i += 160)
        {
            MediaBridge.Encode(Codec, pcm.AsSpan(i, 160), payload);
            var n = RtpHeader.Write(packet, i == 0, (int)Codec, _seq++, _ts, ssrc, payload);
            _ts += 160;
            await _rtp.SendToAsync(packet.AsMemory(0, n), SocketFlags.None, to);
            await Task.Delay(20);
        }
    }

    private static IPEndPoint? MediaOf(byte[] body)
    {
        if (!SdpSession.TryParse(body, out var sdp, out _) || !SdpNegotiator.TryAnswer(sdp, out var agreement, out _))
        {
            return null;
        }

        return agreement.RemoteMedia;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _rtp.Dispose();
        await Task.WhenAll(_sipLoop, _rtpLoop).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _sip.Dispose();
        _stop.Dispose();
    }
}
