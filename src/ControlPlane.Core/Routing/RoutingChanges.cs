using ControlPlane.Contracts;

namespace ControlPlane.Core.Routing;

/// <summary>One route whose traffic moved, and why (feeds the published table's <c>changes</c>).</summary>
public sealed record RouteChange(string RouteId, IReadOnlyList<RoutedTarget> Before, IReadOnlyList<RoutedTarget> After, string Reason);

public static class RoutingChanges
{
    /// <summary>
    /// Routes whose active targets or weights, panic or pin changed between two tables; a route that appeared or
    /// disappeared is a change too. Status-only changes that move no traffic (say, a standby tier's target
    /// opening) are listed only when they happen alongside a traffic change of the same route.
    /// </summary>
    public static IReadOnlyList<RouteChange> Between(ComputedRoutingTable? previous, ComputedRoutingTable current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var before = previous?.Routes.ToDictionary(r => r.RouteId, StringComparer.Ordinal) ?? [];
        var changes = new List<RouteChange>();

        foreach (var route in current.Routes)
        {
            before.TryGetValue(route.RouteId, out var old);
            if (old is not null && SameTraffic(old, route))
            {
                continue;
            }

            changes.Add(new RouteChange(route.RouteId, old?.Active ?? [], route.Active, old is null ? "route added" : Explain(old, route)));
        }

        foreach (var removed in before.Values.Where(r => current.Route(r.RouteId) is null).OrderBy(r => r.RouteId, StringComparer.Ordinal))
        {
            changes.Add(new RouteChange(removed.RouteId, removed.Active, [], "route removed"));
        }

        return changes;
    }

    private static bool SameTraffic(ComputedRoute a, ComputedRoute b) =>
        a.Panic == b.Panic
        && string.Equals(a.PinnedBy, b.PinnedBy, StringComparison.Ordinal)
        && a.Active.SequenceEqual(b.Active)
        && string.Equals(DegradationSummary(a), DegradationSummary(b), StringComparison.Ordinal);

    /// <summary>"degraded: background shed, needs-primary hold" — the classes not served as usual; null without a profile.</summary>
    public static string? DegradationSummary(ComputedRoute route)
    {
        if (route.Degradation is not { } d)
        {
            return null;
        }

        var notServed = d.Classes.Where(c => c.Action != ClassActions.Serve).Select(c => $"{c.Class} {c.Action}").ToList();
        return notServed.Count == 0 ? d.State : $"{d.State}: {string.Join(", ", notServed)}";
    }

    private static string Explain(ComputedRoute old, ComputedRoute now)
    {
        var reasons = new List<string>();
        var oldTargets = old.Tiers.SelectMany(t => t.Targets).GroupBy(t => t.Target).ToDictionary(g => g.Key, g => g.First());
        foreach (var t in now.Tiers.SelectMany(t => t.Targets).DistinctBy(t => t.Target))
        {
            if (!oldTargets.TryGetValue(t.Target, out var o))
            {
                reasons.Add($"{t.Target} added ({t.Description})");
            }
            else if (!string.Equals(o.Description, t.Description, StringComparison.Ordinal))
            {
                reasons.Add($"{t.Target}: {o.Description} → {t.Description}");
            }
            else if (o.EffectiveWeight != t.EffectiveWeight)
            {
                reasons.Add($"{t.Target}: weight {o.EffectiveWeight} → {t.EffectiveWeight}");
            }
        }

        if (old.ActiveTierIndex != now.ActiveTierIndex && now.ActiveTierIndex is { } tier && !now.Panic && now.PinnedBy is null)
        {
            reasons.Add($"tier {tier} now active");
        }

        if (now.Panic && !old.Panic)
        {
            reasons.Add($"panic: {now.PanicReason}");
        }
        else if (old.Panic && !now.Panic)
        {
            reasons.Add("panic over");
        }

        if (DegradationSummary(now) is { } summary && !string.Equals(DegradationSummary(old), summary, StringComparison.Ordinal))
        {
            reasons.Add($"degradation {summary}");
        }

        if (!string.Equals(old.PinnedBy, now.PinnedBy, StringComparison.Ordinal))
        {
            reasons.Add(now.PinnedBy is null ? $"pin {old.PinnedBy} ended" : now.PinNote!);
        }

        return reasons.Count == 0 ? "active targets changed" : string.Join("; ", reasons);
    }
}
