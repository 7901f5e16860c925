using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Service.Probing;

/// <summary>Runs one probe of one target against the real provider API.</summary>
public interface IProbeExecutor
{
    /// <summary>
    /// Never throws for provider failures: every failure comes back as a classified sample with a secret-free detail.
    /// Throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task<ProbeSample> ProbeAsync(TargetDefinition target, CancellationToken cancellationToken);
}
