using System.Diagnostics;
using System.Text;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Hosting;

/// <summary>Runs the built host as a real process (what a user runs), capturing its output.</summary>
internal sealed class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int Id => _process.Id;

    public static HostProcess Start(IDictionary<string, string?> environment)
    {
        var config = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Config>/net10.0
        var hostDir = Path.Combine(TestEnvironment.RepositoryRoot, "src", "Agent.Web", "bin", config, "net10.0");
        var info = new ProcessStartInfo("dotnet", Path.Combine(hostDir, "CallCenter.Agent.Web.dll"))
        {
            WorkingDirectory = hostDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["Logs__Directory"] = "";
        info.Environment["Telephony__Sip__Enabled"] = "false";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return new HostProcess(Process.Start(info)!);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > until || _process.HasExited)
            {
                throw new TimeoutException($"'{text}' did not appear; output so far:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
