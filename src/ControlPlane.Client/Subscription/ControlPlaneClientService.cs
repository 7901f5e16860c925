using System.Threading.Channels;
using ControlPlane.Client.Messaging;
using ControlPlane.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Client.Subscription;

/// <summary>
/// Keeps <see cref="RoutingTableStore"/> current: cache at start, snapshot over HTTP, then the broker subscription
/// with a reconnect loop; reports status back. Never throws on an unreachable control plane or broker: it keeps
/// serving the last good table (fail static) and retries in the background with capped exponential backoff.
/// This type only wires the parts together and reacts to the store's decisions; each part is one job:
/// <see cref="TableCacheFile"/>, <see cref="SnapshotFetcher"/>, <see cref="BrokerSubscription"/>, <see cref="StatusReporter"/>.
/// </summary>
internal sealed class ControlPlaneClientService : BackgroundService
{
    private readonly RoutingTableStore _store;
    private readonly ILogger<ControlPlaneClientService> _logger;
    private readonly TableCacheFile? _cache;
    private readonly SnapshotFetcher _snapshots;
    private readonly BrokerPublisher _statusPublisher;
    private readonly StatusReporter _reporter;
    private readonly BrokerSubscription _subscription;
    private readonly Channel<bool> _conflicts = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public ControlPlaneClientService(
        RoutingTableStore store,
        IControlPlaneSnapshotApi snapshots,
        BrokerConnection broker,
        IOptions<ControlPlaneClientOptions> options,
        TimeProvider time,
        ILogger<ControlPlaneClientService> logger)
    {
        var o = options.Value;
        _store = store;
        _logger = logger;
        _cache = o.CacheFile is { } path ? new TableCacheFile(path, logger) : null;
        _snapshots = new SnapshotFetcher(store, snapshots, o.SnapshotTimeout, logger);
        _statusPublisher = new BrokerPublisher(broker, Exchanges.SubscriberStatus);
        _reporter = new StatusReporter(store, _statusPublisher, o, time, logger);
        _subscription = new BrokerSubscription(broker, store, _snapshots, _reporter, o, time, logger);
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _store.Decided += OnDecided;
        _cache?.LoadInto(_store);

        // One bounded attempt before the host reports started, so a reachable control plane means a table at start.
        await _snapshots.TryFetchAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _store.Decided -= OnDecided;
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _statusPublisher.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reporting = Task.WhenAll(_reporter.RunAsync(stoppingToken), RunConflictResolutionAsync(stoppingToken));
        await _subscription.RunAsync(stoppingToken);
        await reporting;
    }

    private void OnDecided(ApplyDecision decision, TableSource source)
    {
        switch (decision.Outcome)
        {
            case ApplyOutcome.Applied:
                Log.Applied(_logger, decision.Message!.Version, source);
                if (source != TableSource.Cache)
                {
                    PersistCache();
                }

                _reporter.Report();
                break;
            case ApplyOutcome.Rejected:
                Log.Rejected(_logger, decision.Message?.Version, source, decision.RejectionReason!, decision.Detail);
                _reporter.Report();
                if (decision.RejectionReason == RejectionReasons.VersionConflict && source != TableSource.Snapshot)
                {
                    // Two tables claim one version: ask the control plane which one is its own (its answer settles it).
                    _conflicts.Writer.TryWrite(true);
                }

                break;
            default:
                Log.Ignored(_logger, decision.Message!.Version, _store.CurrentVersion ?? 0, source);
                break;
        }
    }

    private void PersistCache()
    {
        // Version first, then the bytes: another apply in between makes the bytes newer than the label, never older,
        // so the newer table's own write is skipped only when the file already holds something at least as new.
        var version = _store.CurrentVersion ?? 0;
        if (_cache is not null && _store.CurrentJson is { } json)
        {
            _cache.TryWrite(version, json.Span);
        }
    }

    private async Task RunConflictResolutionAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var _ in _conflicts.Reader.ReadAllAsync(stoppingToken))
            {
                await _snapshots.TryFetchAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
