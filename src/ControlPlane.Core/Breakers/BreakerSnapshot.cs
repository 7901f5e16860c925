namespace ControlPlane.Core.Breakers;

/// <summary>What routing needs to know about one target's breaker.</summary>
/// <param name="FailureRatio">Used only to rank least-bad targets in panic.</param>
public sealed record BreakerSnapshot(
    CircuitState State,
    double WeightMultiplier,
    DateTimeOffset? OpenUntil = null,
    double FailureRatio = 0)
{
    public static BreakerSnapshot Healthy { get; } = new(CircuitState.Closed, 1);
}
