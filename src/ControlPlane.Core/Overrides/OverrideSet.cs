namespace ControlPlane.Core.Overrides;

/// <summary>All known overrides (active, scheduled and expired); a pure filter over time.</summary>
public sealed class OverrideSet(IEnumerable<Override> overrides)
{
    public IReadOnlyList<Override> All { get; } = overrides.ToList();

    public IReadOnlyList<Override> ActiveAt(DateTimeOffset now) => All.Where(o => o.IsActiveAt(now)).ToList();

    /// <summary>
    /// The earliest instant after <paramref name="now"/> at which an override starts or ends: the host schedules a
    /// routing recomputation for then, so expiry and maintenance windows take effect on time, not on the next tick.
    /// </summary>
    public DateTimeOffset? NextChangeAfter(DateTimeOffset now) =>
        All.Select(o => o.NextChangeAfter(now)).Where(t => t is not null).Min();
}
