using ControlPlane.Core.Catalog;
using Quartz;
using Quartz.Impl.Matchers;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>
/// Makes the job store match the catalog: one job and trigger per target, removed when the target leaves the catalog.
/// Runs on every replica at start; with a shared clustered store the outcome is the same whoever runs it.
/// </summary>
internal sealed partial class ProbeScheduleReconciler(
    ISchedulerFactory schedulers,
    ProviderCatalog catalog,
    TimeProvider time,
    ILogger<ProbeScheduleReconciler> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var now = time.GetUtcNow();
        var (added, changed, removed) = (0, 0, 0);

        foreach (var target in catalog.Targets.Values)
        {
            var existing = await scheduler.GetTrigger(TriggerKeyFor(target.Id), cancellationToken) as ISimpleTrigger;
            if (existing is not null && existing.RepeatInterval == target.Probe.Interval)
            {
                continue;
            }

            var job = JobBuilder.Create<ProbeJob>()
                .WithIdentity(ProbeJob.KeyFor(target.Id))
                .WithDescription($"Probe {target.Id} ({target.Probe.Mode})")
                .StoreDurably()
                .Build();
            await scheduler.ScheduleJob(job, [BuildTrigger(target.Id, target.Probe.Interval, now)], replace: true, cancellationToken);
            if (existing is null)
            {
                added++;
            }
            else
            {
                changed++;
            }
        }

        var jobKeys = await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(ProbeJob.Group), cancellationToken);
        foreach (var key in jobKeys)
        {
            if (!catalog.Targets.ContainsKey(new TargetId(key.Name)))
            {
                await scheduler.DeleteJob(key, cancellationToken);
                removed++;
            }
        }

        LogReconciled(logger, catalog.Targets.Count, added, changed, removed);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Changes a target's probe interval (adaptive probing), keeping its phase so probes stay spread out.</summary>
    public static async Task RescheduleAsync(IScheduler scheduler, TargetId target, TimeSpan interval, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await scheduler.RescheduleJob(TriggerKeyFor(target), BuildTrigger(target, interval, now), cancellationToken);
    }

    internal static TriggerKey TriggerKeyFor(TargetId target) => new(target.Value, ProbeJob.Group);

    internal static ITrigger BuildTrigger(TargetId target, TimeSpan interval, DateTimeOffset now) =>
        TriggerBuilder.Create()
            .WithIdentity(TriggerKeyFor(target))
            .ForJob(ProbeJob.KeyFor(target))
            .StartAt(now + JitterFor(target, interval))
            .WithSimpleSchedule(s => s
                .WithInterval(interval)
                .RepeatForever()
                // A missed slot is skipped, not replayed: a burst of catch-up probes tells us nothing new and costs money.
                .WithMisfireHandlingInstructionNextWithRemainingCount())
            .Build();

    /// <summary>
    /// A stable offset within the interval derived from the target id, so targets spread evenly and keep their phase
    /// across restarts and replicas (random jitter would re-bunch them on every deploy).
    /// </summary>
    internal static TimeSpan JitterFor(TargetId target, TimeSpan interval)
    {
        var hash = 2166136261u;
        foreach (var c in target.Value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return TimeSpan.FromTicks((long)(hash % (ulong)Math.Max(1, interval.Ticks)));
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Probe schedule reconciled: {Targets} targets, {Added} added, {Changed} changed, {Removed} removed")]
    private static partial void LogReconciled(ILogger logger, int targets, int added, int changed, int removed);
}
