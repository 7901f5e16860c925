using ControlPlane.Service.Hosting;

namespace ControlPlane.Service.Health;

/// <summary>
/// Notified whenever new evidence lands: a probe sample or a traffic report in the windows, or an operator's override.
/// The breaker evaluator wakes on it rather than waiting out its interval; owned here so Health need not know Breakers.
/// </summary>
public sealed class EvidenceSignal : WakeSignal;
