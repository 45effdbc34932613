using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Sip;

/// <summary>SIP over UDP: one socket, one receive loop that never ends on bad input or socket errors.</summary>
public sealed partial class UdpSipTransport(IPEndPoint bindTo, ILogger<UdpSipTransport> logger, SipMetrics metrics) : ISipTransport
{
    // RFC 3261 §18.1.1 allows up to 65,535 bytes on UDP; anything larger never reaches us.
    private const int MaxDatagram = 65_535;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private Socket? _socket;
    private Task? _loop;

    public SipTransportKind Kind => SipTransportKind.Udp;

    public IPEndPoint LocalEndPoint => (IPEndPoint?)_socket?.LocalEndPoint ?? bindTo;

    public void Start(SipReceiveHandler onReceive)
    {
        _socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
        if (OperatingSystem.IsWindows())
        {
            // Windows reports ICMP port-unreachable as ConnectionReset on the next receive; switch it off.
            _socket.IOControl(unchecked((int)0x9800000C), [0, 0, 0, 0], null);
        }

        _socket.Bind(bindTo);
        _loop = Task.Run(() => ReceiveLoopAsync(_socket, onReceive, _stop.Token));
    }

    private async Task ReceiveLoopAsync(Socket socket, SipReceiveHandler onReceive, CancellationToken ct)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram);
        var any = new IPEndPoint(bindTo.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // ICMP errors surface here; they must not end the loop (reliability.md §1).
                metrics.SocketErrors.Add(1);
                LogSocketError(ex.SocketErrorCode);
                continue;
            }

            try
            {
                onReceive(buffer.AsSpan(0, r.ReceivedBytes), new SipRemote(SipTransportKind.Udp, (IPEndPoint)r.RemoteEndPoint));
            }
#pragma warning disable CA1031 // one bad datagram must never stop the listener
            catch (Exception ex)
#pragma warning restore CA1031
            {
                metrics.HandlerErrors.Add(1);
                LogHandlerError(ex);
            }
        }
    }

    public async ValueTask SendAsync(SipRemote destination, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var socket = _socket;
        if (socket is null)
        {
            return;
        }

        try
        {
            await socket.SendToAsync(data, SocketFlags.None, destination.EndPoint, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            metrics.SocketErrors.Add(1);
            LogSendFailed(destination.EndPoint, ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // stopped by the server, then disposed by the container
        }

        await _stop.CancelAsync();
        _socket?.Dispose();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP UDP socket error {Error}; receiving continues")]
    private partial void LogSocketError(SocketError error);

    [LoggerMessage(Level = LogLevel.Error, Message = "SIP datagram handler failed; receiving continues")]
    private partial void LogHandlerError(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP UDP send to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, string error);
}
