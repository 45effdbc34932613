namespace CallCenter.TestSupport;

/// <summary>
/// A test that needs the real PostgreSQL named by CALLCENTER_TEST_DB. Skipped on a laptop without it,
/// but never on CI: there a missing database fails the test (the Npgsql test-suite rule).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestDatabase.ServerConnectionString is null && !TestEnvironment.IsCi)
        {
            Skip = "CALLCENTER_TEST_DB is not set; scripts/test.sh starts a private PostgreSQL and sets it.";
        }
    }
}

public static class TestEnvironment
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The shared/ folder beside the checkout (../shared from the repository root).</summary>
    public static string SharedDirectory
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("CALLCENTER_SHARED");
            if (!string.IsNullOrEmpty(fromEnv))
            {
                return fromEnv;
            }

            return Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
        }
    }

    /// <summary>The repository root, found by walking up to CallCenter.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CallCenter.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("CallCenter.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
