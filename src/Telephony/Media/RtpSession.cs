using System.Net;
using System.Net.Sockets;
using CallCenter.Telephony.Sdp;

namespace CallCenter.Telephony.Media;

/// <summary>
/// One call leg's media: receives RTP only from the SDP-negotiated source (latching once, within the first five
/// packets and only to the signalling peer's address, for NAT), reorders through a small jitter buffer, decodes
/// G.711 into the leg's recording, surfaces RFC 4733 digits, and sends prompt frames back (symmetric RTP).
/// </summary>
public sealed class RtpSession : IAsyncDisposable
{
    private const int LatchWindow = 5;
    private readonly RtpPortLease _lease;
    private readonly SdpAgreement _agreement;
    private readonly IPAddress _signallingPeer;
    private readonly WavWriter? _recorder;
    private readonly Action<char> _onDigit;
    private readonly MediaMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly JitterBuffer<Frame> _jitter = new(3);
    private readonly List<Frame> _released = [];
    private readonly Lock _gate = new();
    // Sending has its own lock: a bridge sends on one leg from the other leg's receive path (which holds its _gate),
    // so the two legs' receive locks never nest into each other.
    private readonly Lock _sendGate = new();
    private readonly uint _ssrc = (uint)Random.Shared.Next();
    private IPEndPoint _remote;
    private SocketAddress _remoteAddress;
    private bool _latched;
    private int _seen;
    private uint? _firstTimestamp;
    private uint? _lastDigitTimestamp;
    private long _lastPacketTicks;
    private ushort _sendSeq = (ushort)Random.Shared.Next();
    private uint _sendTs = (uint)Random.Shared.Next();
    private Task? _rtpLoop;
    private Task? _rtcpLoop;
    private int _disposed;

    public RtpSession(RtpPortLease lease, SdpAgreement agreement, IPAddress signallingPeer, WavWriter? recorder,
        Action<char> onDigit, MediaMetrics metrics, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(agreement);
        _lease = lease;
        _agreement = agreement;
        _signallingPeer = signallingPeer;
        _recorder = recorder;
        _onDigit = onDigit;
        _metrics = metrics;
        _time = time;
        _remote = agreement.RemoteMedia;
        _remoteAddress = _remote.Serialize();
        _lastPacketTicks = time.GetTimestamp();
    }

    public int LocalPort => _lease.Port;

    /// <summary>Receives the decoded audio as it is recorded (live transcription); must copy and return at once.</summary>
    public AudioTap? Tap { get; set; }

    public long PacketsAccepted { get; private set; }

    public long PacketsDropped { get; private set; }

    /// <summary>Time since the last accepted RTP packet (or since start): drives the inactivity timeout.</summary>
    public TimeSpan SinceLastPacket => _time.GetElapsedTime(Interlocked.Read(ref _lastPacketTicks));

    public void Start()
    {
        _rtpLoop = Task.Run(() => ReceiveLoopAsync(_stop.Token));
        _rtcpLoop = Task.Run(() => RtcpLoopAsync(_stop.Token));
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[2048];
        var from = new SocketAddress(_remote.AddressFamily);
        var socket = _lease.Rtp;
        while (!ct.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, ct);
            }
            catch (SocketException)
            {
                continue; // ICMP errors must not stop media (reliability.md §1)
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }

            OnPacket(buffer.AsSpan(0, n), from);
        }
    }

    internal void OnPacket(ReadOnlySpan<byte> packet, SocketAddress from)
    {
        lock (_gate)
        {
            _seen++;
            if (!from.Equals(_remoteAddress))
            {
                var ep = (IPEndPoint)_remote.Create(from);
                // Latch once, early, and only to the peer we are signalling with; never re-learn mid-call.
                if (!_latched && PacketsAccepted == 0 && _seen <= LatchWindow && ep.Address.Equals(_signallingPeer))
                {
                    _remote = ep;
                    Volatile.Write(ref _remoteAddress, ep.Serialize());
                }
                else
                {
                    Drop("foreign_source");
                    return;
                }
            }

            _latched = true;
            if (!RtpHeader.TryParse(packet, out var h))
            {
                Drop("malformed");
                return;
            }

            Interlocked.Exchange(ref _lastPacketTicks, _time.GetTimestamp());
            if (h.PayloadType == _agreement.TelephoneEventPayloadType)
            {
                PacketsAccepted++;
                _metrics.Received.Add(1);
                OnDtmf(h, packet.Slice(h.PayloadOffset, h.PayloadLength));
                return;
            }

            if (h.PayloadType != (int)_agreement.Codec)
            {
                Drop("payload_type");
                return;
            }

            PacketsAccepted++;
            _metrics.Received.Add(1);
            if (_recorder is null && Tap is null)
            {
                return;
            }

            _jitter.Add(h.Sequence, new Frame(h.Timestamp, packet.Slice(h.PayloadOffset, h.PayloadLength).ToArray()), _released);
            WriteReleased();
        }
    }

    private void OnDtmf(RtpHeader h, ReadOnlySpan<byte> payload)
    {
        // The end packet is sent three times with one timestamp: report the digit once.
        if (DtmfEvent.TryParse(payload, out var e) && e.End && _lastDigitTimestamp != h.Timestamp && e.Digit is { } digit)
        {
            _lastDigitTimestamp = h.Timestamp;
            _onDigit(digit);
        }
    }

    private void WriteReleased()
    {
        if (_released.Count == 0)
        {
            return;
        }

        Span<short> pcm = stackalloc short[1024];
        foreach (var f in _released)
        {
            _firstTimestamp ??= f.Timestamp;
            var offset = unchecked(f.Timestamp - _firstTimestamp.Value);
            if (offset > int.MaxValue || f.Payload.Length > pcm.Length)
            {
                Drop("late");
                continue;
            }

            var samples = pcm[..f.Payload.Length];
            if (_agreement.Codec == AudioCodec.Pcmu)
            {
                G711.DecodeUlaw(f.Payload, samples);
            }
            else
            {
                G711.DecodeAlaw(f.Payload, samples);
            }

            _recorder?.Write(offset, samples);
            if (Tap is { } tap)
            {
                try
                {
                    tap(offset, samples);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A failing consumer must never stop the call's media or its recording.
                    Drop("tap_error");
                }
            }
        }

        _released.Clear();
    }

    private async Task RtcpLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[1500];
        var from = new SocketAddress(_remote.AddressFamily);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _lease.Rtcp.ReceiveFromAsync(buffer, SocketFlags.None, from, ct);
                // Reports are not acted on yet; foreign ones are only counted.
                var expected = new IPEndPoint(_remote.Address, _remote.Port + 1).Serialize();
                if (!from.Equals(expected))
                {
                    _metrics.Drop("rtcp_foreign_source");
                }
            }
            catch (SocketException)
            {
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
        }
    }

    /// <summary>Sends one 20 ms frame of already-encoded audio to the (latched) remote.</summary>
    public void SendFrame(ReadOnlySpan<byte> encoded, bool marker)
    {
        Span<byte> packet = stackalloc byte[12 + 320];
        int length;
        SocketAddress to;
        lock (_sendGate)
        {
            length = RtpHeader.Write(packet, marker, (int)_agreement.Codec, _sendSeq++, _sendTs, _ssrc, encoded);
            _sendTs += (uint)encoded.Length;
            to = Volatile.Read(ref _remoteAddress);
        }

        try
        {
            _lease.Rtp.SendTo(packet[..length], SocketFlags.None, to);
            _metrics.Sent.Add(1);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            _metrics.Drop("send_failed");
        }
    }

    public AudioCodec Codec => _agreement.Codec;

    /// <summary>What the leg's SDP exchange agreed (codec, digits payload type, the peer's media as signalled).</summary>
    public SdpAgreement Agreement => _agreement;

    /// <summary>Where media is sent now (the SDP address, or the latched source).</summary>
    public IPEndPoint Remote
    {
        get
        {
            lock (_gate)
            {
                return _remote;
            }
        }
    }

    /// <summary>
    /// A re-INVITE moved the peer's media (RFC 3264 §8.3.1): send to and accept from the new address from now on.
    /// Only signalling changes it, never a packet (no mid-call re-latching).
    /// </summary>
    public void UpdateRemote(IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        lock (_gate)
        {
            _remote = remote;
            Volatile.Write(ref _remoteAddress, remote.Serialize());
            _latched = true;
        }
    }

    private void Drop(string reason)
    {
        PacketsDropped++;
        _metrics.Drop(reason);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // ended by both a hang-up and a clean-up path
        }

        await _stop.CancelAsync();
        _lease.Dispose();
        foreach (var t in new[] { _rtpLoop, _rtcpLoop })
        {
            if (t is not null)
            {
                await t.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        lock (_gate)
        {
            _jitter.Flush(_released);
            WriteReleased();
        }

        _stop.Dispose();
    }

    private readonly record struct Frame(uint Timestamp, byte[] Payload);
}

/// <summary>Decoded 8 kHz audio of one leg at its position (samples since the leg's first packet).</summary>
public delegate void AudioTap(long sampleOffset, ReadOnlySpan<short> pcm8k);
