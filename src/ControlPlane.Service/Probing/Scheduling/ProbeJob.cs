using ControlPlane.Core.Catalog;
using Quartz;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>One Quartz job per target. Thin on purpose: the runner does the work.</summary>
[DisallowConcurrentExecution]
internal sealed class ProbeJob(ProbeRunner runner) : IJob
{
    public const string Group = "probes";

    public static JobKey KeyFor(TargetId target) => new(target.Value, Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await runner.RunAsync(
            new TargetId(context.JobDetail.Key.Name),
            context.ScheduledFireTimeUtc,
            (context.Trigger as ISimpleTrigger)?.RepeatInterval,
            cancellationToken);
}
