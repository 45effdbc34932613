using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace CallCenter.Agent.Web.Tests.Hubs;

/// <summary>
/// A minimal SignalR JSON-protocol client over a raw WebSocket (the .NET SignalR client package is not
/// available; stack.md §6). Handshake, invocations with completions, server invocations into a channel, pings.
/// </summary>
public sealed class HubTestClient : IAsyncDisposable
{
    private const char Separator = '\u001e';
    private readonly WebSocket _socket;
    private readonly Channel<HubMessage> _messages = Channel.CreateUnbounded<HubMessage>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private Task _reader = Task.CompletedTask;
    private int _nextId;

    private HubTestClient(WebSocket socket) => _socket = socket;

    public sealed record HubMessage(string Target, JsonElement[] Arguments);

    /// <summary>Connects with the given delegate (in-process TestServer or a real ClientWebSocket) and shakes hands.</summary>
    public static async Task<HubTestClient> ConnectAsync(Func<CancellationToken, Task<WebSocket>> connect, CancellationToken ct)
    {
        var client = new HubTestClient(await connect(ct));
        await client.SendRawAsync("{\"protocol\":\"json\",\"version\":1}", ct);
        var handshake = await client.ReceiveFrameAsync(ct);
        if (handshake.Count != 1 || handshake[0] != "{}")
        {
            throw new InvalidOperationException("handshake failed: " + string.Join("|", handshake));
        }

        client._reader = Task.Run(client.ReadLoopAsync, CancellationToken.None);
        // Returns only after the server ran OnConnectedAsync, i.e. the connection is in its groups.
        await client.InvokeAsync("Ready", [], ct);
        return client;
    }

    public async Task<JsonElement> InvokeAsync(string target, object?[] arguments, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        await SendRawAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }), ct);
        return await tcs.Task.WaitAsync(ct);
    }

    /// <summary>The next server invocation of <paramref name="target"/>; others are skipped.</summary>
    public async Task<HubMessage> NextAsync(string target, CancellationToken ct)
    {
        while (true)
        {
            var message = await _messages.Reader.ReadAsync(ct);
            if (message.Target == target)
            {
                return message;
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                foreach (var text in await ReceiveFrameAsync(_stop.Token))
                {
                    using var doc = JsonDocument.Parse(text);
                    var root = doc.RootElement.Clone();
                    switch (root.GetProperty("type").GetInt32())
                    {
                        case 1:
                            var args = root.GetProperty("arguments").EnumerateArray().ToArray();
                            await _messages.Writer.WriteAsync(new HubMessage(root.GetProperty("target").GetString()!, args));
                            break;
                        case 3 when _pending.TryRemove(root.GetProperty("invocationId").GetString()!, out var tcs):
                            if (root.TryGetProperty("error", out var error))
                            {
                                tcs.TrySetException(new HubInvocationException(error.GetString() ?? "error"));
                            }
                            else
                            {
                                tcs.TrySetResult(root.TryGetProperty("result", out var r) ? r : default);
                            }

                            break;
                        case 7:
                            _messages.Writer.TryComplete(new HubInvocationException("server closed: " + root));
                            return;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidOperationException)
        {
            _messages.Writer.TryComplete(ex);
        }
    }

    private async Task<List<string>> ReceiveFrameAsync(CancellationToken ct)
    {
        var buffer = new byte[8192];
        using var frame = new MemoryStream();
        do
        {
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException("socket closed: " + result.CloseStatusDescription);
                }

                frame.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
        }
        while (frame.Length == 0 || frame.GetBuffer()[frame.Length - 1] != (byte)Separator);

        return Encoding.UTF8.GetString(frame.GetBuffer(), 0, (int)frame.Length)
            .Split(Separator, StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    public async Task SendRawAsync(string json, CancellationToken ct)
    {
        await _send.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json + Separator), WebSocketMessageType.Text, true, ct);
        }
        finally
        {
            _send.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // already gone
        }

        await _reader.ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
        _stop.Dispose();
        _send.Dispose();
    }
}

public sealed class HubInvocationException(string message) : Exception(message);
