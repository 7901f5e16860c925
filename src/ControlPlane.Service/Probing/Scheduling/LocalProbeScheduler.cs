using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using Microsoft.Extensions.Options;
using Prometheus;
using Quartz;
using Quartz.Extensibility;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>
/// Fires the probes of the targets this replica owns: one Quartz job per target in an in-memory scheduler. Firing from
/// memory costs microseconds where a fire through the clustered Postgres store cost about 2 ms of CPU in round trips,
/// which capped one 2-core replica well below 10,000 targets at 10 s; and it keeps probing while Postgres is away.
/// Which targets are this replica's is decided by <see cref="ProbeScheduleReconciler"/>.
/// </summary>
internal sealed partial class LocalProbeScheduler(
    ProbeJob job,
    ProviderCatalog catalog,
    ProbeCadences cadences,
    IOptions<ProbeSchedulingOptions> options,
    TimeProvider time,
    ILogger<LocalProbeScheduler> logger) : IAsyncDisposable
{
    public const string SchedulerName = "controlplane-probes-local";

    private static readonly Gauge Owned = Metrics.CreateGauge(
        "controlplane_probe_targets_owned", "Targets this replica probes (its share of the catalog among the live replicas).");

    /// <summary>Serialises changes to the schedule (share changes and interval changes).</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The targets scheduled here and the cadence each trigger was built with; only touched under <see cref="_gate"/>.</summary>
    private readonly Dictionary<TargetId, TargetCadence> _scheduled = [];

    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = SchedulerName;
                s.InstanceId = "local";
                s.MaxBatchSize = Math.Min(settings.BatchSize, settings.MaxConcurrency);
                // In memory a round costs next to nothing; a narrow window keeps probes from firing early by much.
                s.BatchTriggerAcquisitionFireAheadTimeWindow = settings.BatchFireAheadWindow;
            });
            q.UseInMemoryStore(store => store.MisfireThreshold = settings.MisfireThreshold);
            q.UseDefaultThreadPool(pool => pool.MaxConcurrency = settings.MaxConcurrency);
            q.UseJobFactory(new SingleJobFactory(job));
        }).BuildScheduler(cancellationToken);
        await scheduler.Start(cancellationToken);
        _scheduler = scheduler;
        cadences.Changed += OnCadenceChanged;
    }

    /// <summary>Schedules the targets in <paramref name="owned"/> that are not yet scheduled and unschedules the rest.</summary>
    public async Task ReconcileAsync(IReadOnlySet<TargetId> owned, CancellationToken cancellationToken)
    {
        var scheduler = _scheduler ?? throw new InvalidOperationException("The local probe scheduler has not started.");
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var gone = _scheduled.Keys.Where(t => !owned.Contains(t)).ToList();
            var added = owned.Where(t => !_scheduled.ContainsKey(t) && catalog.Targets.ContainsKey(t))
                .Select(t => (Target: catalog.Targets[t], Cadence: cadences.Current(catalog.Targets[t])))
                .ToList();

            if (gone.Count > 0)
            {
                await scheduler.DeleteJobs(gone.Select(ProbeJob.KeyFor).ToList(), cancellationToken);
                gone.ForEach(t => _scheduled.Remove(t));
            }

            if (added.Count > 0)
            {
                var now = time.GetUtcNow();
                await scheduler.ScheduleJobs(
                    added.ToDictionary(a => BuildJob(a.Target), a => (IReadOnlyCollection<ITrigger>)[BuildTrigger(a.Target, a.Cadence.Interval, ProbeSlots.NextSlot(a.Target.Id, a.Cadence.Interval, now))]),
                    ScheduleJobOptions.Replacing,
                    cancellationToken);
                added.ForEach(a => _scheduled[a.Target.Id] = a.Cadence);
            }

            Owned.Set(_scheduled.Count);

            if (gone.Count > 0 || added.Count > 0)
            {
                Log.ShareChanged(logger, added.Count, gone.Count, owned.Count);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Moves an owned target's trigger to its new cadence. A target sped up (suspect), or whose traffic thinned so that
    /// inference probing returns, is probed at once, though never sooner than its new interval after its last probe:
    /// the probe budget counts every probe.
    /// </summary>
    private void OnCadenceChanged(TargetId targetId, TargetCadence cadence) => _ = RescheduleAsync(targetId);

    private async Task RescheduleAsync(TargetId targetId)
    {
        if (_scheduler is not { } scheduler || !catalog.Targets.TryGetValue(targetId, out var target))
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            // Read the cadence under the gate rather than take the one raised: changes in quick succession may be
            // handled out of order, and the last one known must win.
            var cadence = cadences.Current(target);
            if (!_scheduled.TryGetValue(targetId, out var previous))
            {
                return;
            }

            var inferenceReturns = previous.Mode == ProbeMode.Models && cadence.Mode == ProbeMode.Inference;
            if (previous.Interval == cadence.Interval && !inferenceReturns)
            {
                // The runner reads the mode at each fire: nothing to move.
                _scheduled[targetId] = cadence;
                return;
            }

            // Never sooner than one new interval after the last probe, whichever way the interval moved: the probe budget
            // counts every probe. A slower cadence also waits for its grid slot; a faster one (or inference returning)
            // probes as soon as that allows.
            var now = time.GetUtcNow();
            var last = (await scheduler.GetTrigger(TriggerKeyFor(targetId)))?.PreviousFireTimeUtc;
            var earliest = last is { } fired && fired + cadence.Interval > now ? fired + cadence.Interval : now;
            var startAt = cadence.Interval < previous.Interval || inferenceReturns
                ? earliest
                : ProbeSlots.NextSlot(target.Id, cadence.Interval, earliest);

            await scheduler.RescheduleJob(TriggerKeyFor(targetId), BuildTrigger(target, cadence.Interval, startAt));
            _scheduled[targetId] = cadence;
        }
        catch (SchedulerException e)
        {
            Log.RescheduleFailed(logger, targetId.Value, e.GetType().Name);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        cadences.Changed -= OnCadenceChanged;
        if (Interlocked.Exchange(ref _scheduler, null) is { } scheduler)
        {
            await scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        cadences.Changed -= OnCadenceChanged;
        if (Interlocked.Exchange(ref _scheduler, null) is { } scheduler)
        {
            await scheduler.Shutdown(waitForJobsToComplete: false);
        }
    }

    private static TriggerKey TriggerKeyFor(TargetId target) => new(target.Value, ProbeJob.Group);

    private static IJobDetail BuildJob(TargetDefinition target) =>
        JobBuilder.Create<ProbeJob>()
            .WithIdentity(ProbeJob.KeyFor(target.Id))
            .WithDescription($"Probe {target.Id} ({target.Probe.Mode})")
            .Build();

    /// <param name="startAt">
    /// Usually the next slot on the target's own grid, the same on every replica, so a target moving between replicas
    /// keeps its rhythm.
    /// </param>
    private static ITrigger BuildTrigger(TargetDefinition target, TimeSpan interval, DateTimeOffset startAt) =>
        TriggerBuilder.Create()
            .WithIdentity(TriggerKeyFor(target.Id))
            .ForJob(ProbeJob.KeyFor(target.Id))
            .StartAt(startAt)
            .WithSimpleSchedule(s => s
                .WithInterval(interval)
                .RepeatForever()
                // A missed slot is skipped, not replayed: a burst of catch-up probes tells us nothing new and costs money.
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();

    /// <summary>Every fire runs the same stateless job instance: no container scope per fire.</summary>
    private sealed class SingleJobFactory(ProbeJob job) : IJobFactory
    {
        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new JobScope(job, null));

        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
