using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CallCenter.Telephony.Tests.Outbound;

/// <summary>
/// The real sipp as the customer behind the "trunk": a UAS on loopback running one scenario, logging every SIP
/// message (-trace_msg) so tests can count the INVITEs it saw. Bounded: sipp's own -timeout and a kill on dispose.
/// </summary>
public sealed partial class SippTrunk : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _dir;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private SippTrunk(Process process, DirectoryInfo dir)
    {
        _process = process;
        _dir = dir;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public static string Scenario(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Outbound", "Scenarios", name));

    public static string Pcap(string name) =>
        Path.Combine("/usr/share/sip-tester", name) is var p && File.Exists(p) ? p : throw new FileNotFoundException("sipp pcap missing", p);

    /// <summary>Starts sipp as UAS on <paramref name="port"/> for <paramref name="calls"/> calls; waits until it listens.</summary>
    public static async Task<SippTrunk> StartAsync(int port, string scenarioXml, int calls = 1, int timeoutSeconds = 40)
    {
        var dir = Directory.CreateTempSubdirectory("sipp-trunk-");
        var xml = Path.Combine(dir.FullName, "uas.xml");
        await File.WriteAllTextAsync(xml, scenarioXml);
        var psi = new ProcessStartInfo("sipp")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir.FullName,
        };
        foreach (var a in new[]
                 {
                     "-sf", xml, "-i", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-m", calls.ToString(CultureInfo.InvariantCulture),
                     "-mp", (40000 + (Random.Shared.Next(0, 2000) * 2)).ToString(CultureInfo.InvariantCulture),
                     "-nostdin", "-timeout", timeoutSeconds + "s", "-timeout_error", "-trace_msg", "-message_file", Path.Combine(dir.FullName, "messages.log"),
                     "-trace_err", "-error_file", Path.Combine(dir.FullName, "err.log"),
                 })
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("sipp did not start");
        var trunk = new SippTrunk(process, dir);
        // sipp binds at once; give it a moment so the first INVITE is not sent to a closed port (bounded).
        for (var i = 0; i < 50 && !File.Exists(Path.Combine(dir.FullName, "messages.log")) && !process.HasExited; i++)
        {
            await Task.Delay(20);
        }

        await Task.Delay(200);
        return trunk;
    }

    /// <summary>Waits (bounded) for sipp to finish its calls; returns its exit code and output for assertion messages.</summary>
    public async Task<(int ExitCode, string Output)> WaitAsync(int seconds = 30)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        return (_process.ExitCode, await OutputAsync());
    }

    /// <summary>Stops sipp now (for tests that expect it to see nothing).</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public string Messages => File.Exists(Path.Combine(_dir.FullName, "messages.log")) ? File.ReadAllText(Path.Combine(_dir.FullName, "messages.log")) : "";

    /// <summary>INVITEs sipp received, retransmissions counted once (distinct Via branch).</summary>
    public IReadOnlyList<string> InviteBranches() =>
        InviteRegex().Matches(Messages).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The INVITE as sipp received it (first one), or empty.</summary>
    public string FirstInvite()
    {
        var text = Messages;
        var start = text.IndexOf("INVITE sip:", StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }

        var end = text.IndexOf("Content-Length", start, StringComparison.OrdinalIgnoreCase);
        return end < 0 ? text[start..] : text[start..end];
    }

    private async Task<string> OutputAsync()
    {
        var err = Path.Combine(_dir.FullName, "err.log");
        return (_process.HasExited ? await _stdout + await _stderr : "") + (File.Exists(err) ? await File.ReadAllTextAsync(err) : "");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        _dir.Delete(recursive: true);
    }

    [GeneratedRegex(@"^INVITE sip:[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*?Via: [^\r\n]*branch=([^;\r\n ]+)", RegexOptions.Multiline)]
    private static partial Regex InviteRegex();
}
