namespace ControlPlane.Simulator;

/// Snapshot of what one simulated provider received. ByPath counts request paths as sent;
/// ByOutcome counts how they were answered ("ok", a chaos mode name, "unauthorized", "unknown-model", ...).
public sealed record ProviderStats(
    long Total,
    IReadOnlyDictionary<string, long> ByPath,
    IReadOnlyDictionary<string, long> ByOutcome);
