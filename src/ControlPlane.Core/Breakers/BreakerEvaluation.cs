using ControlPlane.Contracts;
using ControlPlane.Core.Health;

namespace ControlPlane.Core.Breakers;

/// <param name="WeightMultiplier">
/// Factor for the target's configured weight: 0 while Open or HalfOpen (a trial takes probes, not traffic),
/// the slow-start ramp after closing, times the degraded factor while Degraded. What the target weighs right now
/// (for metrics and the API); routing publishes <see cref="DecidedMultiplier"/> and <see cref="SlowStart"/> instead.
/// </param>
public sealed record BreakerEvaluation(
    BreakerState State,
    BreakerTransition? Transition,
    double WeightMultiplier,
    double FailureRatio,
    IReadOnlyList<BreakerSignal> Signals,
    WindowStats Stats)
{
    /// <summary>
    /// <see cref="WeightMultiplier"/> without the slow-start ramp: a decision (0, the degraded factor, or 1) that
    /// stays put while the ramp runs. Defaults to <see cref="WeightMultiplier"/> for evaluations built by hand.
    /// </summary>
    public double DecidedMultiplier { get; init; } = WeightMultiplier;

    /// <summary>The slow-start ramp in force after this evaluation, in wire form; null when none (or it has ended).</summary>
    public SlowStartEntry? SlowStart { get; init; }

    /// <summary>
    /// Never answered since it entered the control plane, and the window holds enough evidence (every piece of it a
    /// failure or a refusal): see <see cref="UnprovenRule"/>. False for a target with no evidence yet.
    /// </summary>
    public bool Unproven { get; init; }

    public bool Transitioned => Transition is not null;

    public BreakerSnapshot ToSnapshot() =>
        new(State.State, DecidedMultiplier, State.OpenUntil, FailureRatio) { SlowStart = SlowStart, Unproven = Unproven };
}
