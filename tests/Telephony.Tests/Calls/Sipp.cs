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
    public static async Task<(int ExitCode, string Output)> RunAsync(int port, string scenarioXml, string caller, string dialed, string callId,
        string transport = "u1", int timeoutSeconds = 40, int mediaPort = 0)
    {
        var dir = Directory.CreateTempSubdirectory("sipp-");
        try
        {
            var xml = Path.Combine(dir.FullName, "uac.xml");
            var csv = Path.Combine(dir.FullName, "call.csv");
            await File.WriteAllTextAsync(xml, scenarioXml);
            await File.WriteAllTextAsync(csv, "SEQUENTIAL\n" + caller + ";" + dialed + "\n");
            var psi = new ProcessStartInfo("sipp")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = dir.FullName,
            };
            foreach (var a in new[]
                     {
                         "127.0.0.1:" + port, "-sf", xml, "-inf", csv, "-i", "127.0.0.1", "-p", SoftswitchFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "-cid_str", callId, "-m", "1", "-l", "1",
                         "-t", transport, "-nostdin", "-timeout", timeoutSeconds + "s", "-timeout_error", "-trace_err",
                         "-error_file", Path.Combine(dir.FullName, "err.log"), "-mp", (mediaPort == 0 ? 20000 + Random.Shared.Next(0, 4000) * 2 : mediaPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
                     })
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

            var err = File.Exists(Path.Combine(dir.FullName, "err.log")) ? await File.ReadAllTextAsync(Path.Combine(dir.FullName, "err.log")) : "";
            return (process.ExitCode, (await stderr) + err + (process.ExitCode == 0 ? "" : await stdout));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Runs sipp as a UAS (no remote host: it waits for one call on <paramref name="port"/>), e.g. an agent's phone;
    /// <paramref name="extra"/> adds options such as -rtp_echo. Bounded by <paramref name="timeoutSeconds"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunServerAsync(string scenarioXml, int port, int mediaPort, int timeoutSeconds,
        params string[] extra)
    {
        var dir = Directory.CreateTempSubdirectory("sipp-uas-");
        try
        {
            var xml = Path.Combine(dir.FullName, "uas.xml");
            await File.WriteAllTextAsync(xml, scenarioXml);
            var psi = new ProcessStartInfo("sipp") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.FullName };
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            foreach (var a in new[]
                     {
                         "-sf", xml, "-i", "127.0.0.1", "-p", port.ToString(inv), "-m", "1", "-nostdin", "-timeout", timeoutSeconds.ToString(inv) + "s",
                         "-timeout_error", "-trace_err", "-error_file", Path.Combine(dir.FullName, "err.log"), "-mp", mediaPort.ToString(inv),
                     }.Concat(extra))
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

            var err = File.Exists(Path.Combine(dir.FullName, "err.log")) ? await File.ReadAllTextAsync(Path.Combine(dir.FullName, "err.log")) : "";
            return (process.ExitCode, (await stderr) + err + (process.ExitCode == 0 ? "" : await stdout));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
