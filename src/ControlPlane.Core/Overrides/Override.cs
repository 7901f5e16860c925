namespace ControlPlane.Core.Overrides;

/// <summary>
/// A manual change to routing, always with an owner, a reason and an end. Precedence, most decisive first:
/// <list type="number">
/// <item><see cref="PinRoute"/>: its route sends all traffic to the pinned target, whatever that target's breaker or
/// other overrides say (the operator knows best; the route is marked pinned and the target's real state stays visible).</item>
/// <item>Removal — <see cref="ForceOpen"/>, <see cref="DrainTarget"/>, an active <see cref="MaintenanceWindow"/>,
/// <see cref="DrainProvider"/>: the target takes no traffic. When operators disagree, taking traffic off is the
/// safe reading, so removal beats <see cref="ForceClosed"/>.</item>
/// <item><see cref="ForceClosed"/>: full configured weight whatever the breaker says (a false positive being overruled).</item>
/// <item>The breaker.</item>
/// </list>
/// Removals also hold in panic: a drained target is never the fail-open fallback.
/// </summary>
public abstract record Override(string Id, string Owner, string Reason, DateTimeOffset CreatedAt)
{
    public abstract bool IsActiveAt(DateTimeOffset now);

    /// <summary>The next instant after <paramref name="now"/> at which this override starts or stops applying.</summary>
    public abstract DateTimeOffset? NextChangeAfter(DateTimeOffset now);

    /// <summary>Stable text for routing notes (no timestamps: notes are part of the table's content).</summary>
    public abstract string Describe();
}

/// <summary>An override active from its creation until <see cref="ExpiresAt"/> (exclusive: expired exactly at that instant).</summary>
public abstract record ExpiringOverride(string Id, string Owner, string Reason, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
    : Override(Id, Owner, Reason, CreatedAt)
{
    public override bool IsActiveAt(DateTimeOffset now) => CreatedAt <= now && now < ExpiresAt;

    public override DateTimeOffset? NextChangeAfter(DateTimeOffset now) =>
        now < CreatedAt ? CreatedAt : now < ExpiresAt ? ExpiresAt : null;

    protected string By => $"{Id} by {Owner}: {Reason}";
}
