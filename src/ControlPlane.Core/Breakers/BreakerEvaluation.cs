using ControlPlane.Core.Health;

namespace ControlPlane.Core.Breakers;

/// <param name="WeightMultiplier">
/// Factor for the target's configured weight: 0 while Open or HalfOpen (a trial takes probes, not traffic),
/// the slow-start ramp after closing, times the degraded factor while Degraded.
/// </param>
public sealed record BreakerEvaluation(
    BreakerState State,
    BreakerTransition? Transition,
    double WeightMultiplier,
    double FailureRatio,
    IReadOnlyList<BreakerSignal> Signals,
    WindowStats Stats)
{
    public bool Transitioned => Transition is not null;

    public BreakerSnapshot ToSnapshot() => new(State.State, WeightMultiplier, State.OpenUntil, FailureRatio);
}
