using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Sip;

/// <summary>
/// SIP over TCP (RFC 3261 §18.3): messages framed by Content-Length; responses and in-dialog requests go back
/// over the connection the request came on. Bounded in connections and in bytes buffered per connection.
/// </summary>
public sealed partial class TcpSipTransport(IPEndPoint bindTo, int maxConnections, ILogger<TcpSipTransport> logger, SipMetrics metrics)
    : ISipTransport
{
    private const int MaxBuffered = 80 * 1024;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private readonly ConcurrentDictionary<long, Connection> _connections = new();
    private TcpListener? _listener;
    private Task? _accept;
    private long _nextId;

    public SipTransportKind Kind => SipTransportKind.Tcp;

    public IPEndPoint LocalEndPoint => (IPEndPoint?)_listener?.LocalEndpoint ?? bindTo;

    public int OpenConnections => _connections.Count;

    public void Start(SipReceiveHandler onReceive)
    {
        _listener = new TcpListener(bindTo);
        _listener.Start(512);
        _accept = Task.Run(() => AcceptLoopAsync(_listener, onReceive, _stop.Token));
    }

    private async Task AcceptLoopAsync(TcpListener listener, SipReceiveHandler onReceive, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(ct);
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
                metrics.SocketErrors.Add(1);
                LogAcceptFailed(ex.SocketErrorCode);
                continue;
            }

            if (_connections.Count >= maxConnections)
            {
                metrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", "tcp_connections"));
                socket.Dispose();
                continue;
            }

            var id = Interlocked.Increment(ref _nextId);
            var connection = new Connection(socket, new SipRemote(SipTransportKind.Tcp, (IPEndPoint)socket.RemoteEndPoint!, id));
            _connections[id] = connection;
            _ = Task.Run(() => ReadLoopAsync(connection, onReceive, ct), CancellationToken.None);
        }
    }

    private async Task ReadLoopAsync(Connection c, SipReceiveHandler onReceive, CancellationToken ct)
    {
        var buffer = new byte[MaxBuffered];
        var filled = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var n = await c.Socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
                if (n == 0)
                {
                    break;
                }

                filled += n;
                while (filled > 0)
                {
                    var skip = 0;
                    while (skip + 1 < filled && buffer[skip] == '\r' && buffer[skip + 1] == '\n')
                    {
                        skip += 2; // CRLF keep-alives between messages
                    }

                    if (skip > 0)
                    {
                        Buffer.BlockCopy(buffer, skip, buffer, 0, filled - skip);
                        filled -= skip;
                        continue;
                    }

                    var length = SipParser.FrameLength(buffer.AsSpan(0, filled));
                    if (length < 0 || (length == 0 && filled == buffer.Length))
                    {
                        // Unframeable stream: nothing after it can be trusted, so close (RFC 3261 §18.3).
                        metrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", "tcp_framing"));
                        return;
                    }

                    if (length == 0)
                    {
                        break;
                    }

                    try
                    {
                        onReceive(buffer.AsSpan(0, length), c.Remote);
                    }
#pragma warning disable CA1031 // a handler failure must not end the connection's loop
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        metrics.HandlerErrors.Add(1);
                        LogHandlerError(ex);
                    }

                    Buffer.BlockCopy(buffer, length, buffer, 0, filled - length);
                    filled -= length;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection reset or shutdown: nothing to do but forget the connection.
        }
        finally
        {
            _connections.TryRemove(c.Remote.ConnectionId, out _);
            c.Socket.Dispose();
            c.SendLock.Dispose();
        }
    }

    public async ValueTask SendAsync(SipRemote destination, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!_connections.TryGetValue(destination.ConnectionId, out var c))
        {
            metrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", "tcp_connection_gone"));
            LogNoConnection(destination.EndPoint);
            return;
        }

        try
        {
            await c.SendLock.WaitAsync(cancellationToken);
            try
            {
                var sent = 0;
                while (sent < data.Length)
                {
                    sent += await c.Socket.SendAsync(data[sent..], SocketFlags.None, cancellationToken);
                }
            }
            finally
            {
                c.SendLock.Release();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            metrics.SocketErrors.Add(1);
            LogNoConnection(destination.EndPoint);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // stopped by the server, then disposed by the container
        }

        await _stop.CancelAsync();
        _listener?.Stop();
        foreach (var c in _connections.Values)
        {
            c.Socket.Dispose();
        }

        if (_accept is not null)
        {
            await _accept.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private sealed record Connection(Socket Socket, SipRemote Remote)
    {
        public SemaphoreSlim SendLock { get; } = new(1, 1);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP TCP accept failed with {Error}; listening continues")]
    private partial void LogAcceptFailed(SocketError error);

    [LoggerMessage(Level = LogLevel.Error, Message = "SIP TCP message handler failed; the connection stays open")]
    private partial void LogHandlerError(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP TCP send to {Remote} failed: connection closed")]
    private partial void LogNoConnection(IPEndPoint remote);
}
