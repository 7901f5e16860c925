using ControlPlane.Service.Hosting;

namespace ControlPlane.Service.Breakers;

/// <summary>Wakes the evaluator early when new evidence arrives (a probe result, a traffic report, an override).</summary>
public sealed class EvaluationSignal : WakeSignal;
