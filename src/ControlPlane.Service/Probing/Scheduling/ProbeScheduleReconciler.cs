using ControlPlane.Core.Catalog;
using Quartz;

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
            // Compare the catalog interval with the one the trigger was created from, not its current interval:
            // adaptive probing may have sped it up, and a replica restarting must not undo that.
            var existing = await scheduler.GetTrigger(TriggerKeyFor(target.Id), cancellationToken);
            if (existing is not null && BaseIntervalOf(existing) == target.Probe.Interval)
            {
                continue;
            }

            var job = JobBuilder.Create<ProbeJob>()
                .WithIdentity(ProbeJob.KeyFor(target.Id))
                .WithDescription($"Probe {target.Id} ({target.Probe.Mode})")
                .StoreDurably()
                .Build();
            await scheduler.ScheduleJob(job, [BuildTrigger(target.Id, target.Probe.Interval, target.Probe.Interval, now)], ScheduleJobOptions.Replacing, cancellationToken);
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

    /// <summary>Changes a target's probe interval (adaptive probing); the catalog interval stays recorded on the trigger.</summary>
    public static async Task RescheduleAsync(
        IScheduler scheduler, TargetId target, TimeSpan baseInterval, TimeSpan interval, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await scheduler.RescheduleJob(TriggerKeyFor(target), BuildTrigger(target, baseInterval, interval, now), cancellationToken);
    }

    /// <summary>The interval a probe trigger currently runs at, or null when the target has no trigger.</summary>
    public static async Task<TimeSpan?> CurrentIntervalAsync(IScheduler scheduler, TargetId target, CancellationToken cancellationToken) =>
        (await scheduler.GetTrigger(TriggerKeyFor(target), cancellationToken) as ISimpleTrigger)?.RepeatInterval;

    internal static TriggerKey TriggerKeyFor(TargetId target) => new(target.Value, ProbeJob.Group);

    private const string BaseIntervalKey = "baseIntervalMs";

    private static TimeSpan? BaseIntervalOf(ITrigger trigger) =>
        trigger.JobDataMap.TryGetValue(BaseIntervalKey, out var value) && long.TryParse(value?.ToString(), out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    internal static ITrigger BuildTrigger(TargetId target, TimeSpan baseInterval, TimeSpan interval, DateTimeOffset now) =>
        TriggerBuilder.Create()
            .WithIdentity(TriggerKeyFor(target))
            .ForJob(ProbeJob.KeyFor(target))
            .UsingJobData(BaseIntervalKey, ((long)baseInterval.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture))
            // Spread targets over the interval, except when speeding a target up: a suspect target is re-probed now.
            .StartAt(interval < baseInterval ? now : now + JitterFor(target, interval))
            .WithSimpleSchedule(s => s
                .WithInterval(interval)
                .RepeatForever()
                // A missed slot is skipped, not replayed: a burst of catch-up probes tells us nothing new and costs money.
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
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
