namespace CallCenter.Callbacks.Tests.Fakes;

/// <summary>Database tests run one at a time: one restarts PostgreSQL, and the machine has two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresTests
{
    public const string Name = "postgres";
}
