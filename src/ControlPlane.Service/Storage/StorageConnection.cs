using Microsoft.Extensions.Options;
using Npgsql;

namespace ControlPlane.Service.Storage;

public static class StorageConnection
{
    /// <summary>
    /// A data source on the configured database, named in pg_stat_activity and logging through the host. Every data
    /// source of the service comes from here; <paramref name="adjust"/> changes what one of them needs differently.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(IServiceProvider services, string applicationName, Action<NpgsqlConnectionStringBuilder>? adjust = null)
    {
        var builder = new NpgsqlDataSourceBuilder(services.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= applicationName;
        adjust?.Invoke(builder.ConnectionStringBuilder);
        builder.UseLoggerFactory(services.GetRequiredService<ILoggerFactory>());
        return builder.Build();
    }

    /// <summary>"Storage:ConnectionString" wins over "ConnectionStrings:ControlPlane" (the Helm chart sets the latter from a Secret).</summary>
    public static string? Resolve(IConfiguration configuration) =>
        configuration["Storage:ConnectionString"] is { Length: > 0 } explicitConnection
            ? explicitConnection
            : configuration.GetConnectionString("ControlPlane");
}
