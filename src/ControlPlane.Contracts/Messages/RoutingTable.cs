using System.Text.Json.Serialization;

namespace ControlPlane.Contracts;

/// <summary>
/// The whole routing decision of the control plane: one entry per route. Names targets only — never URLs or keys;
/// endpoints and credentials stay in each data plane's own configuration.
/// </summary>
public sealed record RoutingTable
{
    /// <summary>Every route of the catalog, sorted by <see cref="RouteEntry.Route"/> (ordinal).</summary>
    public required IReadOnlyList<RouteEntry> Routes { get; init; }

    /// <summary>
    /// How many gateways report traffic (seen in the last minute), among which each target's
    /// <see cref="TargetEntry.MaxConcurrency"/> is split; at least 1. Absent when no target is capped, so such tables
    /// are byte-for-byte what they were.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ReportingGateways { get; init; }
}

/// <summary>One route (a model alias clients ask for, such as <c>chat-default</c>): its tiers and where traffic goes.</summary>
public sealed record RouteEntry
{
    /// <summary>Route id, as clients name it.</summary>
    public required string Route { get; init; }

    /// <summary>
    /// Other model names clients may send for this route, in catalog order: exact names (<c>gpt-4o</c>) and glob
    /// patterns where <c>*</c> matches any run of characters (<c>claude-*</c>), compared ordinally ignoring case.
    /// Empty when the route has none (and when read from a table published before aliases existed). A name resolves
    /// to: the route with that id, else the route with that exact alias, else the route whose matching pattern has
    /// the most literal (non-<c>*</c>) characters (ties: the route id first in ordinal order), else no route.
    /// </summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>What happens when no target is eligible: <see cref="PanicPolicies.FailOpen"/> or <see cref="PanicPolicies.FailClosed"/>.</summary>
    public required string PanicPolicy { get; init; }

    /// <summary>True when no target of any tier is eligible and the panic policy decided where traffic goes.</summary>
    public required bool Panic { get; init; }

    /// <summary>Human-readable explanation of the panic decision; null when not in panic.</summary>
    public string? PanicReason { get; init; }

    /// <summary>
    /// Index into <see cref="Tiers"/> of the tier taking the traffic (the first tier with an eligible target, or the
    /// pinned target's tier); null in panic.
    /// </summary>
    public int? ActiveTier { get; init; }

    /// <summary>
    /// When set, the single target taking all of the route's traffic: an operator pin, or — with
    /// <see cref="Panic"/> true under fail-open — the least-bad target the control plane fails open to.
    /// </summary>
    public string? PinnedTarget { get; init; }

    /// <summary>Priority tiers in order: tier 0 first.</summary>
    public required IReadOnlyList<TierEntry> Tiers { get; init; }

    /// <summary>
    /// The route's degradation profile in its current state: what each request class gets (served among some tiers,
    /// held for the primary tier, or shed). Absent when the route has none — then every request is served as usual.
    /// Omitted from the JSON when null, so tables of routes without a profile are what they were before profiles.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DegradationEntry? Degradation { get; init; }

    /// <summary>
    /// The route's known-good response cache (opt-in); absent when the route has none. Omitted from the JSON when
    /// null, so tables of routes without a cache are byte-for-byte what they were before caches existed.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RouteCache? Cache { get; init; }

    /// <summary>
    /// What a target's content-policy refusal does (<see cref="ContentPolicyRules"/>); absent means
    /// <see cref="ContentPolicyRules.Return"/>. Omitted from the JSON when null, so tables of routes without the rule
    /// are byte-for-byte what they were before it existed.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OnContentPolicy { get; init; }
}

/// <summary>One priority tier of a route: traffic is split among its eligible targets by weight.</summary>
public sealed record TierEntry
{
    /// <summary>The tier's targets in catalog order.</summary>
    public required IReadOnlyList<TargetEntry> Targets { get; init; }
}

/// <summary>A target (provider × model) as it stands in one tier of one route.</summary>
public sealed record TargetEntry
{
    /// <summary>Target id, <c>provider/model</c>, e.g. <c>anthropic/claude-sonnet-4-5</c>.</summary>
    public required string Target { get; init; }

    /// <summary>Provider id from the catalog (the data plane maps it to its own base URL and key).</summary>
    public required string Provider { get; init; }

    /// <summary>Model name sent to the provider.</summary>
    public required string Model { get; init; }

    /// <summary>
    /// Full weight: configured weight × 100 × breaker (degraded) or override multiplier, rounded, at least 1 while
    /// eligible; 0 when not eligible. A <see cref="SlowStart"/> ramp, when present, scales it further: the weight to
    /// route by at an instant is <see cref="SlowStartRamp.Weight(int, SlowStartEntry?, DateTimeOffset)"/>.
    /// </summary>
    public required int Weight { get; init; }

    /// <summary>Whether the target may take traffic.</summary>
    public required bool Eligible { get; init; }

    /// <summary>Breaker state: one of <see cref="TargetStates"/>.</summary>
    public required string State { get; init; }

    /// <summary>
    /// The effective overlay for requests sent to this target through this route (the target's overlay with the
    /// route entry's laid over it, field by field); null when there is none, or in tables published before overlays
    /// existed.
    /// </summary>
    public TargetOverlay? Overlay { get; init; }

    /// <summary>
    /// The weight ramp of a target that recently recovered (slow start); absent when there is none. It stays the
    /// same for the whole ramp, so a ramp costs one published version, not one per step: each subscriber computes
    /// the current weight from it with its own clock (see <see cref="SlowStartRamp"/>). Omitted from the JSON when
    /// null, so tables without ramps are byte-for-byte what they were before ramps existed.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SlowStartEntry? SlowStart { get; init; }

    /// <summary>
    /// The model's context window in tokens, from the catalog; absent when unknown. A data plane whose request this
    /// target refuses as too long moves it to a target of the route with a larger window. Omitted from the JSON when
    /// null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ContextWindow { get; init; }

    /// <summary>
    /// The most requests the whole fleet may have in flight to this target at once (catalog); absent when uncapped.
    /// Each data plane's share is <c>ceil(maxConcurrency / reportingGateways)</c> (<see cref="RoutingTable.ReportingGateways"/>).
    /// Omitted from the JSON when null.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxConcurrency { get; init; }

    /// <summary>
    /// True when the target has never answered (no successful probe or request) since it entered the control plane,
    /// though it has been tried, and its breaker would let it take traffic: it is not eligible while the route has a
    /// proven eligible target, and takes traffic as usual when every eligible target of the route is unproven. Absent
    /// (never false) otherwise, so tables without unproven targets are byte-for-byte what they were before the field
    /// existed.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Unproven { get; init; }
}

/// <summary>
/// A slow-start ramp: from <see cref="StartedAt"/> the target's weight rises from <see cref="FloorMilli"/> thousandths
/// of its full weight to the full weight in <see cref="Steps"/> equal steps over <see cref="DurationMs"/>.
/// </summary>
public sealed record SlowStartEntry
{
    /// <summary>When the ramp started (the breaker closed after its trial).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Length of the ramp in milliseconds; from <c>startedAt + durationMs</c> on, the full weight applies.</summary>
    public required long DurationMs { get; init; }

    /// <summary>The share of the full weight at the start, in thousandths (0–1000; <c>100</c> = 10 %).</summary>
    public required int FloorMilli { get; init; }

    /// <summary>Number of equal steps the ramp moves in (at least 1).</summary>
    public required int Steps { get; init; }
}
