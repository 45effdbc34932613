using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace CallCenter.Agent.Web.Data;

/// <summary>
/// Applies the ordered, embedded <c>Data/Migrations/*.sql</c> scripts once each, recording them in
/// <c>schema_migrations</c>. A session advisory lock serialises hosts that start together.
/// </summary>
public sealed class Migrator(NpgsqlDataSource dataSource, ILogger<Migrator> logger)
{
    // Arbitrary but fixed: every CallCenter node must use the same key.
    private const long AdvisoryLockKey = 0x43_61_6C_6C_43_74_72; // "CallCtr"
    private const string ResourcePrefix = "CallCenter.Agent.Web.Data.Migrations.";

    public sealed record Script(string Version, string Sql, string Checksum);

    public static IReadOnlyList<Script> Scripts { get; } = LoadScripts();

    /// <summary>Applies what is missing; returns the versions applied by this call.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await Execute(conn, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await Execute(conn, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    text PRIMARY KEY,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);

            var applied = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var cmd = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied[reader.GetString(0)] = reader.GetString(1);
                }
            }

            var done = new List<string>();
            foreach (var script in Scripts)
            {
                if (applied.TryGetValue(script.Version, out var checksum))
                {
                    if (checksum != script.Checksum)
                    {
                        // An applied script was edited: the schema and the code may disagree. Fix forward instead.
                        throw new InvalidOperationException(
                            $"Migration {script.Version} was changed after it was applied; add a new migration instead.");
                    }

                    continue;
                }

                await using var tx = await conn.BeginTransactionAsync(cancellationToken);
                await Execute(conn, script.Sql, cancellationToken);
                await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)", conn))
                {
                    record.Parameters.AddWithValue(script.Version);
                    record.Parameters.AddWithValue(script.Checksum);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await tx.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {Version}", script.Version);
                done.Add(script.Version);
            }

            if (done.Count == 0)
            {
                logger.LogInformation("Schema is up to date ({Count} migrations)", Scripts.Count);
            }

            return done;
        }
        finally
        {
            await Execute(conn, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private static async Task Execute(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static List<Script> LoadScripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream, Encoding.UTF8);
                var sql = reader.ReadToEnd();
                var version = n[ResourcePrefix.Length..^".sql".Length];
                return new Script(version, sql, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n")))));
            })
            .ToList();
    }
}
