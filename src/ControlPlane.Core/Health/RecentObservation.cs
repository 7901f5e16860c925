using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Health;

/// <summary>One entry of a window's recent, time-ordered history; a probe has weight 1 unless told otherwise.</summary>
public readonly record struct RecentObservation(DateTimeOffset At, ProbeOutcome Outcome, double Weight);
