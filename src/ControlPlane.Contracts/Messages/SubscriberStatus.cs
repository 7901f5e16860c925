namespace ControlPlane.Contracts;

/// <summary>
/// Published by every subscriber instance to <see cref="Exchanges.SubscriberStatus"/> when it applies or rejects a
/// table and periodically, so the control plane can show fleet convergence per version.
/// </summary>
public sealed record SubscriberStatus
{
    /// <summary>Stable id of this subscriber instance.</summary>
    public required string SubscriberId { get; init; }

    /// <summary>What kind of subscriber: one of <see cref="SubscriberKinds"/> or any other label.</summary>
    public required string Kind { get; init; }

    /// <summary>Host name the instance runs on, if known.</summary>
    public string? Host { get; init; }

    /// <summary>Version of the table in force; null when the subscriber holds no table.</summary>
    public long? AppliedVersion { get; init; }

    /// <summary>When that version was applied by this instance.</summary>
    public DateTimeOffset? AppliedAt { get; init; }

    /// <summary>
    /// Lowercase hex SHA-256 of the canonical JSON of the applied table (the signing input, see
    /// <see cref="CanonicalJson.ContentHash(System.ReadOnlySpan{byte})"/>): lets the control plane tell its own table
    /// from another one carrying the same version. Optional (added later); null when no table is held.
    /// </summary>
    public string? AppliedContentHash { get; init; }

    /// <summary>When this report was produced.</summary>
    public required DateTimeOffset ReportedAt { get; init; }

    /// <summary>The most recent rejected table, if any.</summary>
    public RejectionInfo? LastRejection { get; init; }
}

/// <summary>A table a subscriber refused to apply.</summary>
public sealed record RejectionInfo
{
    /// <summary>Version of the rejected message when it could be read; null for unreadable messages.</summary>
    public long? Version { get; init; }

    /// <summary>Why: one of <see cref="RejectionReasons"/>, optionally followed by <c>": detail"</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>When it was rejected.</summary>
    public required DateTimeOffset At { get; init; }
}
