using System.Diagnostics;
using CallCenter.TestSupport;
using Npgsql;

namespace CallCenter.Callbacks.Tests.Fakes;

/// <summary>Faults injected into the test cluster (reliability.md F-3): killed backends and a full restart.</summary>
public static class PostgresFaults
{
    /// <summary>pg_terminate_backend of every connection to the database (the app's pools break under it).</summary>
    public static async Task TerminateBackendsAsync(string database)
    {
        await using var admin = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await admin.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", admin);
        cmd.Parameters.AddWithValue(database);
        await cmd.ExecuteScalarAsync();
    }

    /// <summary>pg_ctl restart when the cluster is the private one of scripts/pg-cluster.sh (PGDIR set); otherwise nothing.</summary>
    public static async Task RestartClusterIfLocalAsync()
    {
        var dir = Environment.GetEnvironmentVariable("PGDIR");
        var bin = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Order().LastOrDefault() : null;
        if (dir is null || bin is null || !Directory.Exists(Path.Combine(dir, "data")))
        {
            return;
        }

        var pgCtl = Path.Combine(bin, "bin", "pg_ctl");
        var asRoot = Environment.UserName == "root";
        var psi = new ProcessStartInfo(asRoot ? "runuser" : pgCtl) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (asRoot)
        {
            foreach (var a in new[] { "-u", "postgres", "--", pgCtl })
            {
                psi.ArgumentList.Add(a);
            }
        }

        // -l keeps the server's output in the cluster's log: without it the new server would inherit our pipes.
        foreach (var a in new[] { "-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "server.log"), "-m", "fast", "-w", "-t", "60", "restart" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        p.ExitCode.ShouldBe(0, await p.StandardError.ReadToEndAsync());
    }

    /// <summary>Retries a database action while the server comes back (bounded).</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> action, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(action);
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await action();
            }
            catch (NpgsqlException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(500);
            }
        }
    }
}
