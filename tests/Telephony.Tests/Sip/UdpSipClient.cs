using System.Net;
using System.Net.Sockets;
using System.Text;
using CallCenter.Telephony.Sip;

namespace CallCenter.Telephony.Tests.Sip;

/// <summary>A bare UDP peer for tests: sends raw bytes to the softswitch and reads what comes back (bounded waits).</summary>
public sealed class UdpSipClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;

    public UdpSipClient(int serverPort)
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _server = new IPEndPoint(IPAddress.Loopback, serverPort);
    }

    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public void Send(byte[] data) => _socket.SendTo(data, _server);

    public void Send(string text) => Send(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n")));

    /// <summary>The next SIP message received within <paramref name="timeout"/>, or null.</summary>
    public async Task<SipMessage?> ReceiveAsync(TimeSpan timeout)
    {
        var buffer = new byte[65_535];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return SipParser.Parse(buffer.AsSpan(0, r.ReceivedBytes)).Message;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Skips provisional responses and requests; returns the first final response or null.</summary>
    public async Task<SipResponse?> FinalResponseAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            var m = await ReceiveAsync(until - DateTime.UtcNow);
            if (m is SipResponse { StatusCode: >= 200 } r)
            {
                return r;
            }

            if (m is null)
            {
                return null;
            }
        }

        return null;
    }

    public static string Options(int port, string callId) =>
        $"""
        OPTIONS sip:127.0.0.1:{port} SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{Guid.NewGuid():N}
        From: <sip:probe@127.0.0.1>;tag=p1
        To: <sip:127.0.0.1>
        Call-ID: {callId}
        CSeq: 1 OPTIONS
        Max-Forwards: 70
        Content-Length: 0


        """;

    public void Dispose() => _socket.Dispose();
}
