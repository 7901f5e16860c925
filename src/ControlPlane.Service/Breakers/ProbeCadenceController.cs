using System.Collections.Concurrent;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Service.Health;
using ControlPlane.Service.Probing.Scheduling;
using Quartz;

namespace ControlPlane.Service.Breakers;

/// <summary>Adaptive probing: moves a target's probe trigger to the interval its breaker state calls for.</summary>
internal sealed partial class ProbeCadenceController(
    ISchedulerFactory schedulers, PassiveCoverage passive, TimeProvider time, ILogger<ProbeCadenceController> logger)
{
    private readonly ConcurrentDictionary<TargetId, TimeSpan> _applied = new();

    /// <summary>
    /// At the start of a leadership term: learn the intervals the triggers actually run at, which the previous leader
    /// may have changed.
    /// </summary>
    public async Task LoadAsync(ProviderCatalog catalog, CancellationToken cancellationToken)
    {
        _applied.Clear();
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var target in catalog.Targets.Values)
        {
            if (await ProbeScheduleReconciler.CurrentIntervalAsync(scheduler, target.Id, cancellationToken) is { } interval)
            {
                _applied[target.Id] = interval;
            }
        }
    }

    public async Task ApplyAsync(TargetDefinition target, BreakerState state, CancellationToken cancellationToken)
    {
        // Real traffic already tells us how a covered target is doing: probe it less (and pay less).
        var desired = ProbeCadence.IntervalFor(state, target.Probe, passiveObservations: passive.RecentCount(target.Id, time.GetUtcNow()));
        var current = _applied.GetValueOrDefault(target.Id, target.Probe.Interval);
        if (desired == current)
        {
            return;
        }

        try
        {
            var scheduler = await schedulers.GetScheduler(cancellationToken);
            await ProbeScheduleReconciler.RescheduleAsync(scheduler, target.Id, target.Probe.Interval, desired, time.GetUtcNow(), cancellationToken);
            _applied[target.Id] = desired;
            LogCadence(logger, target.Id.Value, desired.TotalSeconds, state.State);
        }
        catch (SchedulerException e)
        {
            LogCadenceFailed(logger, target.Id.Value, e.GetType().Name);
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Probe interval of {Target} is now {Seconds}s (breaker {State})")]
    private static partial void LogCadence(ILogger logger, string target, double seconds, CircuitState state);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Could not change the probe interval of {Target} ({Error})")]
    private static partial void LogCadenceFailed(ILogger logger, string target, string error);
}
