using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Routing;

/// <summary>
/// Unproven targets (<see cref="UnprovenRule"/>) take no traffic while their route has a proven eligible target in any
/// tier: a tier-0 target that never answered must not hold the route's traffic while a tier-1 target works. When no
/// target of the route is both proven and eligible, unproven targets are used as before — the rule never leaves a
/// route with nothing (a fresh deployment whose first probes all fail still routes, and its panic policy still applies).
/// </summary>
public static class UnprovenRouting
{
    /// <param name="forcedClosed">
    /// Whether an operator forced the target's breaker closed: the operator decided, so it is never kept out; being
    /// unproven, it does not count as the proven target that keeps the others out either.
    /// </param>
    public static IReadOnlyList<ComputedTier> Apply(IReadOnlyList<ComputedTier> tiers, Func<TargetId, bool> forcedClosed)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        ArgumentNullException.ThrowIfNull(forcedClosed);
        if (!tiers.Any(t => t.Targets.Any(x => x.Unproven && x.Eligible && !forcedClosed(x.Target))))
        {
            return tiers;
        }

        var hasProven = tiers.Any(t => t.Targets.Any(x => x.Eligible && !x.Unproven));
        if (!hasProven)
        {
            return tiers;
        }

        return tiers
            .Select(tier => tier with
            {
                Targets = tier.Targets
                    .Select(x => x.Unproven && x.Eligible && !forcedClosed(x.Target)
                        ? x with { Eligible = false, EffectiveWeight = 0, SlowStart = null, Status = UnprovenRule.Status }
                        : x)
                    .ToList(),
            })
            .ToList();
    }
}
