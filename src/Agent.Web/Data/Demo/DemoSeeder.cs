using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using CallCenter.Agent.Web.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Agent.Web.Data.Demo;

/// <summary>Loads the demo data set into an empty database and sets every demo account's password.</summary>
public sealed class DemoSeeder(NpgsqlDataSource dataSource, IOptions<DatabaseOptions> options, ILogger<DemoSeeder> logger)
{
    private const long AdvisoryLockKey = 0x43_61_6C_6C_44_65_6D; // "CallDem"

    /// <summary>SIP digest realm of the demo phones; Telephony reads the realm from the agent row.</summary>
    public const string SipRealm = "callcenter";

    /// <summary>Returns true when the data set was loaded by this call.</summary>
    public async Task<bool> SeedIfEmptyAsync(CancellationToken cancellationToken)
    {
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", conn, tx))
        {
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var count = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM customers) OR EXISTS (SELECT 1 FROM agents)", conn, tx))
        {
            if ((bool)(await count.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
        }

        await using (var cmd = new NpgsqlCommand(ReadScript(), conn, tx))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }

        var password = options.Value.DemoPassword;
        var hasher = new PasswordHasher<string>();
        var users = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT username FROM agents", conn, tx))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                users.Add(reader.GetString(0));
            }
        }

        foreach (var user in users)
        {
            await using var update = new NpgsqlCommand("""
                UPDATE agents SET password_hash = $2,
                       sip_realm = CASE WHEN sip_username IS NULL THEN NULL ELSE $3 END,
                       sip_ha1_md5 = CASE WHEN sip_username IS NULL THEN NULL ELSE $4 END,
                       sip_ha1_sha256 = CASE WHEN sip_username IS NULL THEN NULL ELSE $5 END
                 WHERE username = $1
                """, conn, tx);
            update.Parameters.AddWithValue(user);
            update.Parameters.AddWithValue(hasher.HashPassword(user, password));
            update.Parameters.AddWithValue(SipRealm);
            update.Parameters.AddWithValue(Ha1(MD5.HashData, user, password));
            update.Parameters.AddWithValue(Ha1(SHA256.HashData, user, password));
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        logger.LogInformation("Loaded the demo data set ({Accounts} accounts)", users.Count);
        return true;
    }

    // HA1 = H(username:realm:password), RFC 7616 / RFC 8760: the only form of a SIP secret we keep.
    private static string Ha1(Func<byte[], byte[]> hash, string user, string password) =>
        Convert.ToHexStringLower(hash(Encoding.UTF8.GetBytes($"{user}:{SipRealm}:{password}")));

    private static string ReadScript()
    {
        var assembly = Assembly.GetExecutingAssembly();
        using var stream = assembly.GetManifestResourceStream("CallCenter.Agent.Web.Data.Demo.demo.sql")
            ?? throw new StartupConfigurationException("The demo data script is missing from the build.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
