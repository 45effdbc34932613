using System.Net;

namespace CallCenter.Telephony.Sip;

public enum SipTransportKind
{
    Udp,
    Tcp,
}

/// <summary>Where a message came from, and so where its responses go (a TCP reply reuses the connection).</summary>
public sealed record SipRemote(SipTransportKind Transport, IPEndPoint EndPoint, long ConnectionId = 0)
{
    public override string ToString() => Transport + ":" + EndPoint;
}

/// <summary>A received message as bytes; the buffer belongs to the receiver only for the duration of the call.</summary>
public delegate void SipReceiveHandler(ReadOnlySpan<byte> data, SipRemote from);

/// <summary>The SIP transport seam: UDP and TCP in production, an in-memory pipe in unit tests.</summary>
public interface ISipTransport : IAsyncDisposable
{
    SipTransportKind Kind { get; }

    IPEndPoint LocalEndPoint { get; }

    /// <summary>Binds and starts receiving; each message is handed to <paramref name="onReceive"/>.</summary>
    void Start(SipReceiveHandler onReceive);

    /// <summary>Sends without throwing: failures are logged and counted by the transport.</summary>
    ValueTask SendAsync(SipRemote destination, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);
}
