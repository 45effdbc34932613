using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using CallCenter.Telephony.Media;
using CallCenter.TestSupport;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>
/// The real baresip softphone (Debian baresip-core) as an agent's phone on loopback: it registers with digest
/// auth, answers calls itself (answermode=auto), speaks a WAV through its aufile source, dumps what it hears with
/// its sndfile module, and takes commands (hangup, quit) over its ctrl_tcp socket. No sound device is needed:
/// playback goes to ALSA's null device.
/// </summary>
public sealed class Baresip : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly int _ctrlPort;

    private Baresip(DirectoryInfo dir, Process process, int ctrlPort)
    {
        Folder = dir;
        _process = process;
        _ctrlPort = ctrlPort;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public DirectoryInfo Folder { get; }

    /// <summary>What baresip printed so far (for assertion messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts baresip registering <paramref name="user"/> at the softswitch on <paramref name="registrarPort"/>; it will speak <paramref name="speech"/> (8 kHz).</summary>
    public static Baresip Start(int registrarPort, string user, string password, short[] speech)
    {
        var inv = CultureInfo.InvariantCulture;
        var dir = Directory.CreateTempSubdirectory("cc-baresip-");
        var wav = Path.Combine(dir.FullName, "speech.wav");
        using (var writer = new WavWriter(wav))
        {
            writer.Append(speech);
        }

        var ctrlPort = TestPorts.Free();
        var rtp = 50000 + (Random.Shared.Next(0, 2000) * 4); // above every other test's RTP and sipp media range
        File.WriteAllText(Path.Combine(dir.FullName, "config"), string.Join('\n',
            "poll_method epoll",
            "sip_listen 127.0.0.1:" + TestPorts.Free().ToString(inv),
            "net_interface 127.0.0.1",
            "call_local_timeout 60",
            "audio_player alsa,null",
            "audio_alert alsa,null",
            "audio_source aufile," + wav,
            "rtp_ports " + rtp.ToString(inv) + "-" + (rtp + 3).ToString(inv),
            "module_path /usr/lib/baresip/modules",
            "module g711.so",
            "module alsa.so",
            "module aufile.so",
            "module sndfile.so",
            "module ctrl_tcp.so",
            "module_app account.so",
            "module_app menu.so",
            "snd_path " + dir.FullName,
            "ctrl_tcp_listen 127.0.0.1:" + ctrlPort.ToString(inv),
            ""));
        File.WriteAllText(Path.Combine(dir.FullName, "accounts"),
            $"<sip:{user}@127.0.0.1:{registrarPort.ToString(inv)};transport=udp>;auth_pass={password};answermode=auto;audio_codecs=PCMU;regint=600;mwi=no;ptime=20\n");

        var psi = new ProcessStartInfo("baresip")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = dir.FullName,
        };
        psi.ArgumentList.Add("-f");
        psi.ArgumentList.Add(dir.FullName);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("baresip did not start");
        return new Baresip(dir, process, ctrlPort);
    }

    /// <summary>Sends one ctrl_tcp command (a netstring holding JSON), e.g. "hangup" or "quit".</summary>
    public async Task CommandAsync(string command)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _ctrlPort);
        var json = "{\"command\":\"" + command + "\",\"params\":\"\",\"token\":\"t1\"}";
        var bytes = Encoding.ASCII.GetBytes(json.Length.ToString(CultureInfo.InvariantCulture) + ":" + json + ",");
        await tcp.GetStream().WriteAsync(bytes);
        await tcp.GetStream().FlushAsync();
        await Task.Delay(200); // let baresip read it before the socket closes
    }

    /// <summary>The WAV files sndfile wrote of what baresip decoded from the far end (one per call).</summary>
    public IReadOnlyList<string> HeardFiles() => Folder.GetFiles("*-dec.wav").Select(f => f.FullName).ToList();

    /// <summary>Quits baresip (it unregisters first) and waits, bounded, for it to exit.</summary>
    public async Task<int> QuitAsync()
    {
        if (!_process.HasExited)
        {
            await CommandAsync("quit"); // not a kill: baresip unregisters on the way out
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("baresip did not quit within 10 s:\n" + Log);
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Folder.Delete(recursive: true);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
