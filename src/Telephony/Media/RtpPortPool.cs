using System.Net;
using System.Net.Sockets;

namespace CallCenter.Telephony.Media;

/// <summary>A bound RTP/RTCP socket pair on an even/odd port pair from the pool.</summary>
public sealed class RtpPortLease(RtpPortPool pool, int port, Socket rtp, Socket rtcp) : IDisposable
{
    private int _disposed;

    public int Port { get; } = port;

    public Socket Rtp { get; } = rtp;

    public Socket Rtcp { get; } = rtcp;

    /// <summary>Closes both sockets, then returns the port (never before the sockets are closed).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Rtp.Dispose();
            Rtcp.Dispose();
            pool.Return(Port);
        }
    }
}

/// <summary>
/// Even RTP ports (RTCP on port + 1) from a configured range outside the ephemeral range. A port that fails to
/// bind (taken by someone else) is skipped and retried later.
/// </summary>
public sealed class RtpPortPool
{
    private readonly Queue<int> _free = new();
    private readonly Lock _gate = new();
    private readonly IPAddress _address;

    public RtpPortPool(IPAddress address, int min, int max)
    {
        _address = address;
        for (var p = min + (min & 1); p + 1 <= max + 1; p += 2)
        {
            _free.Enqueue(p);
        }

        Capacity = _free.Count;
    }

    public int Capacity { get; }

    public int Available
    {
        get
        {
            lock (_gate)
            {
                return _free.Count;
            }
        }
    }

    /// <summary>A bound pair, or null when the pool is exhausted (the caller answers 503).</summary>
    public RtpPortLease? Rent()
    {
        for (var attempt = 0; attempt < 16; attempt++)
        {
            int port;
            lock (_gate)
            {
                if (!_free.TryDequeue(out port))
                {
                    return null;
                }
            }

            Socket? rtp = null;
            Socket? rtcp = null;
            try
            {
                rtp = new Socket(_address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                rtp.Bind(new IPEndPoint(_address, port));
                rtcp = new Socket(_address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                rtcp.Bind(new IPEndPoint(_address, port + 1));
                return new RtpPortLease(this, port, rtp, rtcp);
            }
            catch (SocketException)
            {
                rtp?.Dispose();
                rtcp?.Dispose();
                Return(port); // to the back of the queue: it may be free again later
            }
        }

        return null;
    }

    internal void Return(int port)
    {
        lock (_gate)
        {
            _free.Enqueue(port);
        }
    }
}
