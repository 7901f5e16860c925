using ControlPlane.Core.Catalog;
using Quartz;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>
/// One Quartz job per target. Thin on purpose: the runner does the work.
/// Not [DisallowConcurrentExecution]: the probe timeout is capped at the trigger's interval, so runs of one target
/// rarely overlap, and when they do the runner, the executor and the observers are safe to run side by side. Serial
/// jobs would force every firing round under the job store's cluster-wide lock, plus a blocked → waiting update on
/// completion.
/// </summary>
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
