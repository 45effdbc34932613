using System.Net;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Calls;

/// <summary>
/// The softswitch as a hosted service: marks calls a previous run left open as interrupted (repairing their WAV
/// headers), then listens for SIP on UDP (and TCP) and hands calls to the <see cref="CallManager"/>.
/// </summary>
public sealed partial class SipServer(SipCore core, CallManager calls, CallStore store, IOptions<TelephonyOptions> options,
    ILoggerFactory loggers, SipMetrics metrics, ILogger<SipServer> logger) : IHostedService, IAsyncDisposable
{
    private readonly List<ISipTransport> _transports = [];

    /// <summary>The bound UDP endpoint (useful when the configured port is 0).</summary>
    public IPEndPoint? UdpEndPoint => core.Transport(SipTransportKind.Udp)?.LocalEndPoint;

    public IPEndPoint? TcpEndPoint => core.Transport(SipTransportKind.Tcp)?.LocalEndPoint;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        Directory.CreateDirectory(o.RecordingsPath);
        var (interrupted, recordings) = await store.MarkInterruptedAsync(calls.NodeName, cancellationToken);
        foreach (var (id, path) in recordings)
        {
            try
            {
                var duration = !File.Exists(path) ? TimeSpan.Zero
                    : path.EndsWith("-stereo.wav", StringComparison.Ordinal) ? StereoWavWriter.Repair(path) : WavWriter.Repair(path);
                await store.CompleteRecordingAsync(id, (long)duration.TotalMilliseconds, File.Exists(path) ? new FileInfo(path).Length : 0, cancellationToken);
            }
            catch (IOException ex)
            {
                LogRepairFailed(path, ex.Message);
            }
        }

        if (interrupted > 0)
        {
            LogInterrupted(interrupted, calls.NodeName);
        }

        var address = IPAddress.Parse(o.Sip.BindAddress);
        var advertised = o.Sip.PublicAddress ?? (address.Equals(IPAddress.Any) ? "127.0.0.1" : o.Sip.BindAddress);
        core.AdvertisedHost = advertised;
        calls.MediaAddress = IPAddress.Parse(advertised);
        var udp = new UdpSipTransport(new IPEndPoint(address, o.Sip.Port), loggers.CreateLogger<UdpSipTransport>(), metrics);
        core.AddTransport(udp);
        _transports.Add(udp);
        if (o.Sip.TcpEnabled)
        {
            var tcp = new TcpSipTransport(new IPEndPoint(address, o.Sip.Port), o.Sip.MaxTcpConnections, loggers.CreateLogger<TcpSipTransport>(), metrics);
            core.AddTransport(tcp);
            _transports.Add(tcp);
        }

        core.Start(calls);
        calls.StartWatchdog();
        LogListening(o.Sip.BindAddress, udp.LocalEndPoint.Port, o.Sip.TcpEnabled);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await calls.DisposeAsync();
        await DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        var transports = _transports.ToArray();
        _transports.Clear();
        foreach (var t in transports)
        {
            await t.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP listening on {Address}:{Port} (UDP, TCP: {Tcp})")]
    private partial void LogListening(string address, int port, bool tcp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} calls left open by node {Node} were marked interrupted")]
    private partial void LogInterrupted(int count, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {Path} could not be repaired: {Error}")]
    private partial void LogRepairFailed(string path, string error);
}
