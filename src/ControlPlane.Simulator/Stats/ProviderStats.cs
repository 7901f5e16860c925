namespace ControlPlane.Simulator;

/// Snapshot of what one simulated provider received. ByPath counts request paths as sent;
/// ByOutcome counts how they were answered ("ok", a chaos mode name, "unauthorized", "unknown-model", ...).
public sealed record ProviderStats(
    long Total,
    IReadOnlyDictionary<string, long> ByPath,
    IReadOnlyDictionary<string, long> ByOutcome)
{
    /// The tokens the completed answers reported spending, summed: what a bill for this provider would count.
    public TokenStats Tokens { get; init; } = new(0, 0, 0);
}

/// Token sums as the answers' usage fields carried them (output = the visible answer, reasoning = hidden thinking).
public sealed record TokenStats(long Input, long Output, long Reasoning);
