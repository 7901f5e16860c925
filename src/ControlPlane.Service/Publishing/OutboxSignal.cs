using ControlPlane.Service.Hosting;

namespace ControlPlane.Service.Publishing;

/// <summary>Wakes the outbox relay as soon as the evaluator commits a version on this replica.</summary>
public sealed class OutboxSignal : WakeSignal;
