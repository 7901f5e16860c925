using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Overrides;

public enum TargetOverrideKind
{
    None,
    Removed,
    ForcedClosed,
}

/// <summary>What the active overrides do to one target (pins are per route, see <see cref="OverrideResolver.PinFor"/>).</summary>
public sealed record TargetOverrideEffect(TargetOverrideKind Kind, Override? Source)
{
    public static TargetOverrideEffect None { get; } = new(TargetOverrideKind.None, null);
}

/// <summary>Applies the precedence documented on <see cref="Override"/>.</summary>
public static class OverrideResolver
{
    public static TargetOverrideEffect ForTarget(TargetDefinition target, IReadOnlyList<Override> active)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(active);

        // Most specific removal first, so the note names the override an operator would look for.
        var removal = active
            .Select(o => (Override: o, Rank: RemovalRank(o, target)))
            .Where(x => x.Rank > 0)
            .OrderBy(x => x.Rank)
            .ThenBy(x => x.Override.CreatedAt)
            .ThenBy(x => x.Override.Id, StringComparer.Ordinal)
            .Select(x => x.Override)
            .FirstOrDefault();
        if (removal is not null)
        {
            return new TargetOverrideEffect(TargetOverrideKind.Removed, removal);
        }

        var forcedClosed = active.OfType<ForceClosed>()
            .Where(f => f.Target == target.Id)
            .OrderBy(f => f.CreatedAt)
            .ThenBy(f => f.Id, StringComparer.Ordinal)
            .FirstOrDefault();
        return forcedClosed is null ? TargetOverrideEffect.None : new TargetOverrideEffect(TargetOverrideKind.ForcedClosed, forcedClosed);
    }

    /// <summary>The pin for a route; when several are active the most recently created wins (ties: lowest id).</summary>
    public static PinRoute? PinFor(string routeId, IReadOnlyList<Override> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        return active.OfType<PinRoute>()
            .Where(p => string.Equals(p.RouteId, routeId, StringComparison.Ordinal))
            .OrderByDescending(p => p.CreatedAt)
            .ThenBy(p => p.Id, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private static int RemovalRank(Override o, TargetDefinition target) => o switch
    {
        ForceOpen f when f.Target == target.Id => 1,
        DrainTarget d when d.Target == target.Id => 2,
        MaintenanceWindow m when m.Target is not null && m.Covers(target) => 3,
        DrainProvider p when string.Equals(p.ProviderId, target.ProviderId, StringComparison.Ordinal) => 4,
        MaintenanceWindow m when m.Covers(target) => 5,
        _ => 0,
    };
}
