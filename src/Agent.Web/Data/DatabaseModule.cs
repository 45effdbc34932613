using CallCenter.Agent.Web.Data.Demo;
using CallCenter.Agent.Web.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Agent.Web.Data;

/// <summary>Settings for the schema and the demo data, bound from the "Database" section.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations at start-up (under an advisory lock).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Load the demo data set when the database has no customers yet (scripts/run.sh sets it).</summary>
    public bool SeedDemoData { get; set; }

    /// <summary>Password of every demo account (web login and SIP phone).</summary>
    public string DemoPassword { get; set; } = "demo-1234";
}

public static class DatabaseModule
{
    public const string ConnectionStringName = "CallCenter";

    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StartupConfigurationException(
                "no database configured: set ConnectionStrings__CallCenter (e.g. 'Host=127.0.0.1;Port=5432;Username=callcenter;Database=callcenter'), " +
                "or start the service with scripts/run.sh, which starts a private PostgreSQL.");
        }

        NpgsqlDataSource dataSource;
        try
        {
            var csb = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "CallCenter" };
            dataSource = new NpgsqlDataSourceBuilder(csb.ConnectionString).Build();
        }
        catch (ArgumentException ex)
        {
            // Never echo the string itself: it may hold a password.
            throw new StartupConfigurationException($"ConnectionStrings__CallCenter is not a valid PostgreSQL connection string: {ex.Message}");
        }

        builder.Services.AddSingleton(dataSource);
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<Migrator>();
        builder.Services.AddSingleton<DemoSeeder>();
        // First hosted service: its StartingAsync runs before anything else starts, the web server included.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, DatabasePreparation>());
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }
}

/// <summary>Migrates the schema and loads demo data before the host starts serving.</summary>
internal sealed class DatabasePreparation(IServiceProvider services) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        try
        {
            if (options.MigrateOnStart)
            {
                await services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
            }

            if (options.SeedDemoData)
            {
                await services.GetRequiredService<DemoSeeder>().SeedIfEmptyAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw DatabaseUnavailableException.From(dataSource, ex);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
