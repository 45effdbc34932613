using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Agent.Web.Hosting;

/// <summary>Turns the start-up failures a user can fix into one readable sentence.</summary>
public static class StartupErrors
{
    public static string? Describe(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex switch
        {
            StartupConfigurationException e => e.Message,
            OptionsValidationException e => "invalid configuration: " + string.Join("; ", e.Failures),
            AggregateException { InnerExceptions.Count: 1 } e => Describe(e.InnerExceptions[0]),
            DatabaseUnavailableException e => e.Message,
            _ when FindSocketError(ex) is { } se => $"a network socket could not be opened: {ex.Message} ({se.SocketErrorCode}; is another process using the port?)",
            _ => null,
        };
    }

    private static SocketException? FindSocketError(Exception? ex)
    {
        for (var depth = 0; ex is not null && depth < 5; depth++, ex = ex.InnerException)
        {
            if (ex is SocketException se)
            {
                return se;
            }
        }

        return null;
    }
}

/// <summary>Configuration that cannot work; the message names the key and what to do.</summary>
public sealed class StartupConfigurationException(string message) : Exception(message);

/// <summary>The database could not be reached or prepared at start-up.</summary>
public sealed class DatabaseUnavailableException(string message, Exception inner) : Exception(message, inner)
{
    public static DatabaseUnavailableException From(NpgsqlDataSource dataSource, Exception inner)
    {
        var cs = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        var reason = inner is NpgsqlException { InnerException: { } detail } && inner.Message.StartsWith("Exception while", StringComparison.Ordinal)
            ? detail.Message
            : inner.Message;
        return new DatabaseUnavailableException(
            $"PostgreSQL at {cs.Host}:{cs.Port} (database '{cs.Database}', user '{cs.Username}') is not usable: {reason}. " +
            "Check ConnectionStrings__CallCenter, or unset it and let scripts/run.sh start a private cluster.",
            inner);
    }
}
