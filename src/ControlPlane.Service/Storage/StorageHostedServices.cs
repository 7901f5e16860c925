using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Storage;

/// <summary>
/// Applies pending migrations when the host starts (if <see cref="StorageOptions.MigrateOnStart"/>). It works in
/// <see cref="IHostedLifecycleService.StartingAsync"/>, which the host runs for every lifecycle service before
/// any hosted service's StartAsync, so the schema is in place before Quartz or the ingest touch it, whatever
/// the registration order. A failure stops the host: running against an unknown schema is worse.
/// </summary>
internal sealed class StorageMigrationService(
    MigrationRunner runner, IOptions<StorageOptions> options) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStart)
        {
            await runner.MigrateAsync(cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Runs <see cref="PartitionMaintenance"/> at start and then every <see cref="StorageOptions.PartitionMaintenanceInterval"/>.</summary>
internal sealed class PartitionMaintenanceService(
    PartitionMaintenance maintenance,
    IOptions<StorageOptions> options,
    TimeProvider timeProvider,
    ILogger<PartitionMaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PartitionMaintenanceInterval, timeProvider);
        do
        {
            try
            {
                await maintenance.RunAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Days ahead give slack: one missed pass (Postgres down, lock timeout) costs nothing.
                Log.PartitionMaintenanceFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>
/// Every <see cref="StorageOptions.RollupInterval"/>, recomputes the minute rollups of the last
/// <see cref="StorageOptions.RollupLookback"/>. The first pass after a start also catches up on the minutes
/// missed while no replica ran (at most a day back).
/// </summary>
internal sealed class RollupService(
    RollupCalculator calculator,
    IOptions<StorageOptions> options,
    TimeProvider timeProvider,
    ILogger<RollupService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lookback = options.Value.RollupLookback;
        var catchingUp = true;
        using var timer = new PeriodicTimer(options.Value.RollupInterval, timeProvider);
        while (await WaitAsync(timer, stoppingToken))
        {
            var now = timeProvider.GetUtcNow();
            var from = now - lookback;
            try
            {
                if (catchingUp && await calculator.GetLatestBucketAsync(stoppingToken) is { } latest && latest < from)
                {
                    from = latest > now - MaxCatchUp ? latest : now - MaxCatchUp;
                }

                var buckets = await calculator.ComputeAsync(from, now, stoppingToken);
                catchingUp = false;
                Log.RollupsComputed(logger, buckets, from, now);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.RollupFailed(logger, ex);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
