using Npgsql;

namespace CallCenter.Pipeline.Bench;

/// <summary>A throw-away database with the project's schema (the migration scripts applied in order), dropped at the end.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        DataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 200 }.ConnectionString);
    }

    public string Name { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<BenchDatabase> CreateAsync(string server)
    {
        var name = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await using (var conn = new NpgsqlConnection(server))
        {
            await conn.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await create.ExecuteNonQueryAsync();
        }

        var db = new BenchDatabase(server, name);
        var folder = Path.Combine(RepositoryRoot(), "src", "Agent.Web", "Data", "Migrations");
        foreach (var file in Directory.GetFiles(folder, "*.sql").Order(StringComparer.Ordinal))
        {
            await using var cmd = db.DataSource.CreateCommand(await File.ReadAllTextAsync(file));
            await cmd.ExecuteNonQueryAsync();
        }

        return db;
    }

    /// <summary>One inbound call row per leg (transcript rows reference it).</summary>
    public async Task AddCallAsync(Guid id)
    {
        await using var cmd = DataSource.CreateCommand("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, node, state) VALUES ($1, 'inbound', $2, '13800138000', 'bench', 'connected')
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue("bench-" + id.ToString("N"));
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await using var conn = new NpgsqlConnection(_server);
        await conn.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", conn);
        await drop.ExecuteNonQueryAsync();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CallCenter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the repository (CallCenter.sln not found above the binary).");
    }
}
