using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Service.Storage;
using Prometheus;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>Runs one probe for a target and hands the sample to storage and to the in-memory observers.</summary>
internal sealed partial class ProbeRunner(
    ProviderCatalog catalog,
    ProbeCadences cadences,
    IProbeExecutor executor,
    IProbeSampleSink sink,
    IEnumerable<IProbeSampleObserver> observers,
    TimeProvider time,
    ILogger<ProbeRunner> logger)
{
    private static readonly Histogram ScheduleLag = Metrics.CreateHistogram(
        "controlplane_probe_schedule_lag_seconds",
        "Delay between a probe's scheduled fire time and when it started.",
        // Fine around the 1 s objective (p99 < 1 s at 10,000 targets), so quantiles read from the buckets mean something.
        new HistogramConfiguration { Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10] });

    private readonly IProbeSampleObserver[] _observers = observers.ToArray();

    /// <param name="currentInterval">The interval the trigger runs at now (adaptive probing may have shortened it).</param>
    public async Task RunAsync(TargetId targetId, DateTimeOffset? scheduledAt, TimeSpan? currentInterval, CancellationToken cancellationToken)
    {
        if (!catalog.Targets.TryGetValue(targetId, out var target))
        {
            // A job left behind by a replica with an older catalog; the reconciler removes it.
            Log.UnknownTarget(logger, targetId.Value);
            return;
        }

        if (scheduledAt is { } scheduled)
        {
            ScheduleLag.Observe(Math.Max(0, (time.GetUtcNow() - scheduled).TotalSeconds));
        }

        if (currentInterval is { } interval && ProbeCadence.EffectiveTimeout(target.Probe, interval) is var timeout && timeout != target.Probe.Timeout)
        {
            target = target with { Probe = target.Probe with { Timeout = timeout } };
        }

        // While gateway traffic covers the target, the leader turns its inference probes into list-models liveness probes.
        if (cadences.Current(target).Mode is var mode && mode != target.Probe.Mode)
        {
            target = target with { Probe = target.Probe with { Mode = mode } };
        }

        var sample = await executor.ProbeAsync(target, cancellationToken);
        if (!sink.TryWrite(sample))
        {
            Log.SampleNotBuffered(logger, targetId.Value);
        }

        foreach (var observer in _observers)
        {
            observer.OnSample(sample);
        }
    }
}
