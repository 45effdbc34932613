using System.Diagnostics;

namespace CallCenter.Telephony.Tests.Calls;

/// <summary>Runs the real sipp (Debian sip-tester) as a UAC against the softswitch over loopback, bounded in time.</summary>
public static class Sipp
{
    public static string Pcap(string name) =>
        Path.Combine("/usr/share/sip-tester", name) is var p && File.Exists(p) ? p : throw new FileNotFoundException("sipp pcap missing", p);

    public static string Scenario(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Calls", "Scenarios", name));

    /// <summary>Writes the scenario and a one-line CSV (caller;dialed), runs one call with Call-ID <paramref name="callId"/>.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(int port, string scenarioXml, string caller, string dialed, string callId,
        string transport = "u1", int timeoutSeconds = 40, int mediaPort = 0)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return RunInFolderAsync("sipp-", timeoutSeconds, async dir =>
        {
            var xml = Path.Combine(dir, "uac.xml");
            var csv = Path.Combine(dir, "call.csv");
            await File.WriteAllTextAsync(xml, scenarioXml);
            await File.WriteAllTextAsync(csv, "SEQUENTIAL\n" + caller + ";" + dialed + "\n");
            return
            [
                "127.0.0.1:" + port, "-sf", xml, "-inf", csv, "-i", "127.0.0.1", "-p", CallCenter.TestSupport.TestPorts.Free().ToString(inv),
                "-cid_str", callId, "-m", "1", "-l", "1", "-t", transport,
                "-mp", (mediaPort == 0 ? 20000 + Random.Shared.Next(0, 4000) * 2 : mediaPort).ToString(inv),
            ];
        });
    }

    /// <summary>
    /// Runs sipp as a UAS (no remote host: it waits for one call on <paramref name="port"/>), e.g. an agent's phone;
    /// <paramref name="extra"/> adds options such as -rtp_echo. Bounded by <paramref name="timeoutSeconds"/>.
    /// </summary>
    public static Task<(int ExitCode, string Output)> RunServerAsync(string scenarioXml, int port, int mediaPort, int timeoutSeconds,
        params string[] extra)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return RunInFolderAsync("sipp-uas-", timeoutSeconds, async dir =>
        {
            var xml = Path.Combine(dir, "uas.xml");
            await File.WriteAllTextAsync(xml, scenarioXml);
            return ["-sf", xml, "-i", "127.0.0.1", "-p", port.ToString(inv), "-m", "1", "-mp", mediaPort.ToString(inv), .. extra];
        });
    }

    /// <summary>One bounded sipp run in a scratch folder (scenario files, error log), removed afterwards.</summary>
    private static async Task<(int ExitCode, string Output)> RunInFolderAsync(string prefix, int timeoutSeconds, Func<string, Task<string[]>> prepare)
    {
        var dir = Directory.CreateTempSubdirectory(prefix);
        try
        {
            var errors = Path.Combine(dir.FullName, "err.log");
            var psi = new ProcessStartInfo("sipp") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.FullName };
            foreach (var a in (await prepare(dir.FullName)).Concat(
                         ["-nostdin", "-timeout", timeoutSeconds + "s", "-timeout_error", "-trace_err", "-error_file", errors]))
            {
                psi.ArgumentList.Add(a);
            }

            using var process = Process.Start(psi) ?? throw new InvalidOperationException("sipp did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds + 15));
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            var err = File.Exists(errors) ? await File.ReadAllTextAsync(errors) : "";
            return (process.ExitCode, (await stderr) + err + (process.ExitCode == 0 ? "" : await stdout));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
