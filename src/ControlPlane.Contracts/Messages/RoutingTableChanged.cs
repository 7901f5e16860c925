namespace ControlPlane.Contracts;

/// <summary>
/// Event published to <see cref="Exchanges.RoutingTable"/> whenever the routing table changes, and served as the
/// snapshot by <c>GET /api/routing-table</c>. Carries the whole table (state of the world, not a delta) and a
/// signature over the canonical JSON of every other property (see <see cref="CanonicalJson"/>).
/// </summary>
public sealed record RoutingTableChanged
{
    /// <summary>Monotonic version (from a Postgres sequence). Subscribers ignore versions ≤ the one they hold.</summary>
    public required long Version { get; init; }

    /// <summary>The version this one replaces; null for the first table.</summary>
    public long? PreviousVersion { get; init; }

    /// <summary>When the control plane issued this version (serialized as UTC, round-trip "O" format).</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>The whole routing table.</summary>
    public required RoutingTable Table { get; init; }

    /// <summary>Routes whose traffic moved since <see cref="PreviousVersion"/>, and why.</summary>
    public required IReadOnlyList<RoutingChange> Changes { get; init; }

    /// <summary>Id of the signing key; subscribers trust a set of key ids so keys can rotate.</summary>
    public required string KeyId { get; init; }

    /// <summary>Base64 ECDSA P-256 / SHA-256 signature in IEEE P1363 form (r‖s, 64 bytes) over the canonical JSON.</summary>
    public required string Signature { get; init; }
}

/// <summary>One route whose traffic moved between two versions.</summary>
public sealed record RoutingChange
{
    /// <summary>Route id.</summary>
    public required string Route { get; init; }

    /// <summary>Why the traffic moved, e.g. <c>anthropic/claude-sonnet-4-5: closed → open</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>Target ids taking traffic before.</summary>
    public required IReadOnlyList<string> Before { get; init; }

    /// <summary>Target ids taking traffic after.</summary>
    public required IReadOnlyList<string> After { get; init; }
}
