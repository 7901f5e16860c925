using ControlPlane.Service.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ControlPlane.Service.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Postgres storage: options, the shared <see cref="NpgsqlDataSource"/>, migrations at start, partition
    /// maintenance, probe sample ingest (<see cref="IProbeSampleSink"/>), minute rollups and the history reads.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) =>
                options.ConnectionString = StorageConnection.Resolve(configuration))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => StorageConnection.CreateDataSource(sp, "controlplane"));

        services.AddPooledDbContextFactory<ControlPlaneDbContext>((sp, options) =>
            options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking));

        services.TryAddSingleton<MigrationRunner>();
        services.TryAddSingleton<PartitionMaintenance>();
        services.TryAddSingleton<ReplicaIdentity>();
        services.TryAddSingleton<ProbeSampleCopyWriter>();
        services.TryAddSingleton<RollupCalculator>();
        services.TryAddSingleton<HealthHistoryQueries>();
        services.TryAddSingleton<ProbeSpendQueries>();
        services.TryAddSingleton<ProbeSampleIngest>();
        services.TryAddSingleton<IProbeSampleSink>(sp => sp.GetRequiredService<ProbeSampleIngest>());

        // Migrations first (their work happens in StartingAsync, before any StartAsync), then partitions, so
        // today's exists before the first batch; the ingest creates a missing one on demand anyway.
        services.AddHostedService<StorageMigrationService>();
        services.AddHostedService<PartitionMaintenanceService>();
        services.AddHostedService(sp => sp.GetRequiredService<ProbeSampleIngest>());
        services.AddHostedService<RollupService>();

        return builder;
    }
}
