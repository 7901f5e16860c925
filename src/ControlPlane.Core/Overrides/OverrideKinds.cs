using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Overrides;

public sealed record DrainTarget(string Id, string Owner, string Reason, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, TargetId Target)
    : ExpiringOverride(Id, Owner, Reason, CreatedAt, ExpiresAt)
{
    public override string Describe() => $"drained ({By})";
}

public sealed record DrainProvider(string Id, string Owner, string Reason, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string ProviderId)
    : ExpiringOverride(Id, Owner, Reason, CreatedAt, ExpiresAt)
{
    public override string Describe() => $"provider {ProviderId} drained ({By})";
}

public sealed record ForceOpen(string Id, string Owner, string Reason, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, TargetId Target)
    : ExpiringOverride(Id, Owner, Reason, CreatedAt, ExpiresAt)
{
    public override string Describe() => $"forced open ({By})";
}

public sealed record ForceClosed(string Id, string Owner, string Reason, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, TargetId Target)
    : ExpiringOverride(Id, Owner, Reason, CreatedAt, ExpiresAt)
{
    public override string Describe() => $"forced closed ({By})";
}

public sealed record PinRoute(string Id, string Owner, string Reason, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string RouteId, TargetId Target)
    : ExpiringOverride(Id, Owner, Reason, CreatedAt, ExpiresAt)
{
    public override string Describe() => $"pinned to {Target} ({By})";
}

/// <summary>
/// Scheduled work on a provider or one target: behaves like a drain from <see cref="Start"/> (inclusive) to
/// <see cref="End"/> (exclusive). Exactly one of <see cref="ProviderId"/> and <see cref="Target"/> is set.
/// </summary>
public sealed record MaintenanceWindow(
    string Id,
    string Owner,
    string Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset Start,
    DateTimeOffset End,
    string? ProviderId = null,
    TargetId? Target = null)
    : Override(Id, Owner, Reason, CreatedAt)
{
    public static MaintenanceWindow ForProvider(string id, string owner, string reason, DateTimeOffset createdAt, DateTimeOffset start, DateTimeOffset end, string providerId) =>
        new(id, owner, reason, createdAt, start, end, ProviderId: providerId);

    public static MaintenanceWindow ForTarget(string id, string owner, string reason, DateTimeOffset createdAt, DateTimeOffset start, DateTimeOffset end, TargetId target) =>
        new(id, owner, reason, createdAt, start, end, Target: target);

    public override bool IsActiveAt(DateTimeOffset now) => Start <= now && now < End;

    public override DateTimeOffset? NextChangeAfter(DateTimeOffset now) => now < Start ? Start : now < End ? End : null;

    public override string Describe() =>
        $"maintenance of {(Target is { } t ? t.Value : $"provider {ProviderId}")} ({Id} by {Owner}: {Reason})";

    public bool Covers(TargetDefinition target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Target is { } t ? t == target.Id : string.Equals(ProviderId, target.ProviderId, StringComparison.Ordinal);
    }
}
