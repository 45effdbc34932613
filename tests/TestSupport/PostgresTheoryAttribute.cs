namespace CallCenter.TestSupport;

/// <summary>A <see cref="PostgresFactAttribute"/> for theories: skipped without CALLCENTER_TEST_DB except on CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (TestDatabase.ServerConnectionString is null && !TestEnvironment.IsCi)
        {
            Skip = "CALLCENTER_TEST_DB is not set; scripts/test.sh starts a private PostgreSQL and sets it.";
        }
    }
}
