using ControlPlane.Core.Catalog;
using ControlPlane.Core.Health;

namespace ControlPlane.Core.Breakers;

/// <summary>An automatic state change, with the window statistics that caused it (audit and alert evidence).</summary>
public sealed record BreakerTransition(
    TargetId Target,
    CircuitState From,
    CircuitState To,
    DateTimeOffset At,
    string Reason,
    WindowStats Evidence);
