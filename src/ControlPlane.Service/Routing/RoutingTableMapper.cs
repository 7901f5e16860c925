using ControlPlane.Contracts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;

namespace ControlPlane.Service.Routing;

/// <summary>Maps the computed table to its published form: targets only (provider id + model), never endpoints or keys.</summary>
public static class RoutingTableMapper
{
    /// <summary>
    /// A target is eligible (weight &gt; 0) when it may take traffic under this table: the active targets (including a
    /// panic fallback or a pin) and every other target whose breaker and overrides allow it, which data planes use as
    /// safety-net fallbacks in tier order.
    /// </summary>
    public static RoutingTable ToContract(ComputedRoutingTable table, ProviderCatalog catalog) => new()
    {
        ReportingGateways = table.ReportingGateways,
        Routes = table.Routes.Select(route =>
        {
            var active = route.Active.ToDictionary(a => a.Target, a => a.Weight);
            return new RouteEntry
            {
                Route = route.RouteId,
                Aliases = route.Aliases,
                PanicPolicy = route.PanicPolicy == PanicPolicy.FailOpen ? PanicPolicies.FailOpen : PanicPolicies.FailClosed,
                Panic = route.Panic,
                PanicReason = route.PanicReason,
                ActiveTier = route.ActiveTier,
                PinnedTarget = route.PinnedTarget?.Value,
                OnContentPolicy = route.OnContentPolicy == ContentPolicyRules.Return ? null : route.OnContentPolicy,
                Tiers = route.Tiers.Select(tier => new TierEntry
                {
                    Targets = tier.Targets.Select(t =>
                    {
                        var definition = catalog.Targets[t.Target];
                        var isActive = active.TryGetValue(t.Target, out var activeWeight);
                        var eligible = isActive || t.Eligible;
                        return new TargetEntry
                        {
                            Target = t.Target.Value,
                            Provider = definition.ProviderId,
                            Model = definition.Model,
                            Weight = isActive ? activeWeight : eligible ? t.EffectiveWeight : 0,
                            Eligible = eligible,
                            State = StateName(t.Breaker),
                            Overlay = t.Overlay,
                            SlowStart = eligible ? t.SlowStart : null,
                            ContextWindow = t.ContextWindow,
                            MaxConcurrency = t.MaxConcurrency,
                            Unproven = t.Unproven ? true : null,
                        };
                    }).ToList(),
                }).ToList(),
                Degradation = route.Degradation,
                Cache = route.Cache,
            };
        }).ToList(),
    };

    public static IReadOnlyList<RoutingChange> ToContract(IReadOnlyList<RouteChange> changes) =>
        changes.Select(c => new RoutingChange
            {
                Route = c.RouteId,
                Reason = c.Reason,
                Before = c.Before.Select(t => t.Target.Value).ToList(),
                After = c.After.Select(t => t.Target.Value).ToList(),
            })
            .ToList();

    public static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => TargetStates.Closed,
        CircuitState.Degraded => TargetStates.Degraded,
        CircuitState.Open => TargetStates.Open,
        CircuitState.HalfOpen => TargetStates.HalfOpen,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}
