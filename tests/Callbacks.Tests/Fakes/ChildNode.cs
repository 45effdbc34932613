using System.Collections.Concurrent;
using System.Diagnostics;
using CallCenter.TestSupport;

namespace CallCenter.Callbacks.Tests.Fakes;

/// <summary>A CallCenter.Callbacks.DialChild process (a second node, or one to kill with SIGKILL), with its stdout lines.</summary>
public sealed class ChildNode : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ChildNode(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Enqueue(line);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Enqueue("ERR " + line);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Lines => [.. _lines];

    public bool HasExited => _process.HasExited;

    public static ChildNode Start(string connectionString, string node, string mode)
    {
        // Same configuration as this test assembly: .../bin/<Configuration>/net10.0/.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "Callbacks.DialChild", "bin", configuration, "net10.0", "CallCenter.Callbacks.DialChild.dll");
        File.Exists(dll).ShouldBeTrue("build tests/Callbacks.DialChild first: " + dll);
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add(connectionString);
        psi.ArgumentList.Add(node);
        psi.ArgumentList.Add(mode);
        return new ChildNode(Process.Start(psi) ?? throw new InvalidOperationException("could not start " + dll));
    }

    /// <summary>Waits (bounded) for a line matching <paramref name="match"/>; fails with the output so far.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            var line = _lines.FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("child output so far:\n" + string.Join('\n', _lines));
    }

    /// <summary>SIGKILL on Linux: no finally blocks, no shutdown hooks, like kill -9.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        KillHard();
        _process.Dispose();
    }
}
