using ControlPlane.Contracts;

namespace ControlPlane.Core.Breakers;

/// <summary>What routing needs to know about one target's breaker.</summary>
/// <param name="WeightMultiplier">
/// The decided multiplier, without the slow-start ramp: 0 while Open or HalfOpen, the degraded factor while Degraded,
/// else 1. The ramp travels as data in <see cref="SlowStart"/>, so it does not change the table while it runs.
/// </param>
/// <param name="FailureRatio">Used only to rank least-bad targets in panic.</param>
public sealed record BreakerSnapshot(
    CircuitState State,
    double WeightMultiplier,
    DateTimeOffset? OpenUntil = null,
    double FailureRatio = 0)
{
    public static BreakerSnapshot Healthy { get; } = new(CircuitState.Closed, 1);

    /// <summary>The slow-start ramp still running, or null.</summary>
    public SlowStartEntry? SlowStart { get; init; }

    /// <summary>
    /// Never answered since it entered the control plane, with evidence that it does not (<see cref="UnprovenRule"/>):
    /// routing keeps it out while its route has a proven eligible target.
    /// </summary>
    public bool Unproven { get; init; }
}
