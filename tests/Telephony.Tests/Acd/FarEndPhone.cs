using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CallCenter.Telephony.Media;

namespace CallCenter.Telephony.Tests.Acd;

/// <summary>
/// The caller's side of a media stream on loopback: keeps every audio payload it receives (in arrival order) and
/// sends RFC 4733 digits. Not a fake of our code: a plain UDP peer standing in for a phone.
/// </summary>
internal sealed class FarEndPhone : IAsyncDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly List<byte> _received = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private ushort _seq = 100;
    private uint _timestamp = 8000;

    public FarEndPhone()
    {
        _loop = Task.Run(ReceiveAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    /// <summary>Where to send digits (the session's RTP port).</summary>
    public IPEndPoint? Remote { get; set; }

    public int PacketCount { get; private set; }

    public byte[] Received()
    {
        lock (_gate)
        {
            return [.. _received];
        }
    }

    /// <summary>Waits (bounded) until <paramref name="needle"/> occurs in the received audio after <paramref name="from"/>; returns its end.</summary>
    public async Task<int> WaitForAsync(byte[] needle, int from, int seconds)
    {
        for (var i = 0; i < seconds * 20; i++)
        {
            var at = Received().AsSpan(from).IndexOf(needle);
            if (at >= 0)
            {
                return from + at + needle.Length;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the expected prompt audio did not arrive within " + seconds + " s");
    }

    /// <summary>One RFC 4733 event: a start packet, then the end packet three times with one timestamp.</summary>
    public async Task PressAsync(char digit)
    {
        var ev = digit is >= '0' and <= '9' ? digit - '0' : digit == '*' ? 10 : 11;
        _timestamp += 1600;
        for (var i = 0; i < 4; i++)
        {
            var packet = new byte[16];
            packet[0] = 0x80;
            packet[1] = (byte)((i == 0 ? 0x80 : 0) | 101);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _seq++);
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), _timestamp);
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x1234);
            packet[12] = (byte)ev;
            packet[13] = (byte)((i == 0 ? 0 : 0x80) | 10);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), (ushort)(i == 0 ? 400 : 800));
            await _udp.SendAsync(packet, Remote!);
            await Task.Delay(20);
        }
    }

    private async Task ReceiveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult r;
            try
            {
                r = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            if (RtpHeader.TryParse(r.Buffer, out var h))
            {
                lock (_gate)
                {
                    PacketCount++;
                    _received.AddRange(r.Buffer.AsSpan(h.PayloadOffset, h.PayloadLength).ToArray());
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _udp.Dispose();
        _stop.Dispose();
    }
}
