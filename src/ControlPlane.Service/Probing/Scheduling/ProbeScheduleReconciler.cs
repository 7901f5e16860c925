using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using Microsoft.Extensions.Options;
using Prometheus;
using Quartz;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>
/// Decides which targets this replica probes and keeps its local scheduler in step. Every
/// <see cref="ProbeSchedulingOptions.OwnershipRefreshInterval"/> it reads who is checked in to Quartz's clustered job
/// store and the cadences adaptive probing chose, then takes the targets rendezvous hashing gives it
/// (<see cref="ProbeSlots.OwnerOf"/>): N replicas probe each target once, not N times, and a replica that dies hands its
/// share to the survivors once its check-in goes stale. While Postgres is unreachable it keeps the last membership it
/// read, so probing goes on.
/// </summary>
internal sealed partial class ProbeScheduleReconciler(
    ISchedulerFactory schedulers,
    LocalProbeScheduler local,
    ProbeClusterMembership membership,
    ProbeCadenceStore cadence,
    ProbeCadences cadences,
    ProviderCatalog catalog,
    IOptions<ProbeSchedulingOptions> options,
    TimeProvider time,
    ILogger<ProbeScheduleReconciler> logger) : BackgroundService
{
    private static readonly Gauge Members = Metrics.CreateGauge(
        "controlplane_probe_replicas", "Replicas sharing the probes, as this replica last read them from the cluster's check-ins.");

    private string _self = "";
    private IReadOnlyList<string> _members = [];
    private long _cadenceRevision;
    private bool _stale;
    private HashSet<TargetId>? _owned;
    private IReadOnlyList<string> _ownedFor = [];

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the application starts, so probing begins with the right share and the cadences already chosen.
        var cluster = await schedulers.GetScheduler(cancellationToken);
        _self = cluster.SchedulerInstanceId;
        _members = [_self];
        await local.StartAsync(cancellationToken);
        await ReconcileOnceAsync(cluster, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cluster = await schedulers.GetScheduler(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.OwnershipRefreshInterval, time, stoppingToken);
                await ReconcileOnceAsync(cluster, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await local.StopAsync(cancellationToken);
        if (options.Value.Clustered)
        {
            // Quartz has stopped checking in by now (its hosted service stops first). Leaving at once hands this
            // replica's share to the others on their next refresh instead of after the check-in goes stale.
            await membership.LeaveAsync(SchedulerName, _self, cancellationToken);
        }
    }

    private const string SchedulerName = ProbeSchedulingServiceCollectionExtensions.ClusterSchedulerName;

    private async Task ReconcileOnceAsync(IScheduler cluster, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var row in await cadence.ChangedSinceAsync(_cadenceRevision, cancellationToken))
            {
                // A decision made against another catalog interval or budget (before a deploy changed it) no longer applies.
                if (catalog.Targets.TryGetValue(row.Target, out var target))
                {
                    cadences.Set(target, row.AppliesTo(target, catalog) ? row.Cadence : cadences.Baseline(target));
                }

                _cadenceRevision = row.Revision;
            }

            if (options.Value.Clustered)
            {
                var live = await membership.LiveMembersAsync(SchedulerName, options.Value.PresumedDeadAfter, cancellationToken);
                _members = live.Contains(_self) ? live.Order(StringComparer.Ordinal).ToList() : [.. live.Append(_self).Order(StringComparer.Ordinal)];
            }

            if (_stale)
            {
                _stale = false;
                Log.MembershipResumed(logger, _members.Count);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Postgres away: keep probing the share last known. Replicas that die meanwhile are noticed once it returns.
            if (!_stale)
            {
                _stale = true;
                Log.MembershipStale(logger, e.GetType().Name, _members.Count);
            }
        }

        if (_owned is null || !_ownedFor.SequenceEqual(_members))
        {
            _owned = catalog.Targets.Keys.Where(t => ProbeSlots.OwnerOf(t, _members) == _self).ToHashSet();
            _ownedFor = _members;
            await local.ReconcileAsync(_owned, cancellationToken);
        }

        Members.Set(_members.Count);
    }
}
