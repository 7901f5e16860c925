using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;

namespace ControlPlane.Service.Routing;

// The routing table as stored and published: targets only (provider id + model), never endpoints or keys.
public sealed record RoutingTableDocument(IReadOnlyList<RouteDocument> Routes);

public sealed record RouteDocument(
    string Route,
    string PanicPolicy,
    bool Panic,
    string? PanicReason,
    int? ActiveTier,
    string? PinnedTarget,
    IReadOnlyList<TierDocument> Tiers);

public sealed record TierDocument(IReadOnlyList<TargetDocument> Targets);

public sealed record TargetDocument(string Target, string Provider, string Model, int Weight, bool Eligible, string State);

public sealed record RouteChangeDocument(string Route, string Reason, IReadOnlyList<string> Before, IReadOnlyList<string> After);

public static class RoutingTableMapper
{
    /// <summary>
    /// Maps the computed table to its published form. A target is eligible (weight &gt; 0) when it may take traffic
    /// under this table: the active targets (including a panic fallback or a pin) and every other target whose breaker
    /// and overrides allow it, which data planes use as safety-net fallbacks in tier order.
    /// </summary>
    public static RoutingTableDocument ToDocument(ComputedRoutingTable table, ProviderCatalog catalog) =>
        new(table.Routes.Select(route =>
        {
            var active = route.Active.ToDictionary(a => a.Target, a => a.Weight);
            var activeTier = route.ActiveTierIndex
                ?? route.Tiers.FirstOrDefault(t => t.Targets.Any(x => active.ContainsKey(x.Target)))?.Index;
            return new RouteDocument(
                route.RouteId,
                route.PanicPolicy == PanicPolicy.FailOpen ? "fail-open" : "fail-closed",
                route.Panic,
                route.PanicReason,
                activeTier,
                route.PinnedBy is null || route.Active.Count == 0 ? null : route.Active[0].Target.Value,
                route.Tiers.Select(tier => new TierDocument(tier.Targets.Select(t =>
                {
                    var definition = catalog.Targets[t.Target];
                    var isActive = active.TryGetValue(t.Target, out var activeWeight);
                    var eligible = isActive || t.Eligible;
                    return new TargetDocument(
                        t.Target.Value,
                        definition.ProviderId,
                        definition.Model,
                        isActive ? activeWeight : eligible ? t.EffectiveWeight : 0,
                        eligible,
                        StateName(t.Breaker));
                }).ToList())).ToList());
        }).ToList());

    public static IReadOnlyList<RouteChangeDocument> ToDocuments(IReadOnlyList<RouteChange> changes) =>
        changes.Select(c => new RouteChangeDocument(
                c.RouteId,
                c.Reason,
                c.Before.Select(t => t.Target.Value).ToList(),
                c.After.Select(t => t.Target.Value).ToList()))
            .ToList();

    public static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Degraded => "degraded",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half-open",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
