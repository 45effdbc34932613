using System.Net.WebSockets;
using System.Text;

namespace CallCenter.Bench;

/// <summary>
/// The least SignalR client a latency benchmark needs: JSON handshake, then watch incoming frames for a text
/// (the call id inside a ScreenPop). Pings are not sent: a round lasts far less than the 30 s server timeout.
/// </summary>
internal sealed class RawHubClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];

    private RawHubClient(ClientWebSocket socket) => _socket = socket;

    public static async Task<RawHubClient> ConnectAsync(Uri uri, string cookieHeader)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", cookieHeader);
        await socket.ConnectAsync(uri, CancellationToken.None);
        var client = new RawHubClient(socket);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        var handshake = await client.ReceiveAsync(TimeSpan.FromSeconds(30));
        if (!handshake.StartsWith("{}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("handshake failed: " + handshake);
        }

        return client;
    }

    public async Task WaitForAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!(await ReceiveAsync(timeout, cts.Token)).Contains(text, StringComparison.Ordinal))
        {
        }
    }

    private async Task<string> ReceiveAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var frame = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(_buffer, cts.Token);
            frame.Write(_buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(frame.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }
        catch (WebSocketException)
        {
            // server already gone
        }

        _socket.Dispose();
    }
}
