namespace ControlPlane.Core.Breakers;

/// <summary>Everything the breaker remembers between evaluations (persisted by the host).</summary>
/// <param name="Since">When <paramref name="State"/> was entered.</param>
/// <param name="TripCount">Trips since the count last decayed; drives the growing break duration.</param>
/// <param name="OpenUntil">While Open: when the break ends and trial probes start.</param>
/// <param name="HalfOpenSuccesses">While HalfOpen: weighted answered observations since the trial started.</param>
/// <param name="SlowStartStartedAt">Set when the breaker closes after a trial; cleared when the ramp is complete.</param>
/// <param name="EvidenceSince">
/// Only observations strictly after this instant count: set on entering HalfOpen (the trial judges only its own
/// probes) and on closing (the outage that tripped the breaker must not trip it again).
/// </param>
/// <param name="ClosedSince">When the breaker last came back from Open/HalfOpen (or started): base of trip-count decay.</param>
/// <param name="Suspect">
/// Closed or Degraded with a trailing failure, or with failures in a window too thin to judge the ratio: probe faster to
/// confirm or clear.
/// </param>
/// <param name="Proven">
/// Set by the first answered (success or slow) probe or gateway request since the target entered the control plane, and
/// never cleared: a target that only ever got 400s or 401s is not healthy, it is unproven.
/// </param>
public sealed record BreakerState(
    CircuitState State,
    DateTimeOffset Since,
    int TripCount = 0,
    DateTimeOffset? OpenUntil = null,
    double HalfOpenSuccesses = 0,
    DateTimeOffset? SlowStartStartedAt = null,
    DateTimeOffset? EvidenceSince = null,
    DateTimeOffset? ClosedSince = null,
    bool Suspect = false,
    bool Proven = false)
{
    public static BreakerState Initial(DateTimeOffset now) => new(CircuitState.Closed, now, ClosedSince: now);
}
