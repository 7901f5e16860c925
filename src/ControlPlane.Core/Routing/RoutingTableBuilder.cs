using ControlPlane.Contracts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Overrides;

namespace ControlPlane.Core.Routing;

/// <summary>
/// Routing table = pure function of (catalog, breaker states, overrides, now). Tier by tier, the first tier with
/// an eligible target takes all the route's traffic, split by effective weight.
/// </summary>
/// <remarks>
/// <para>A target without a breaker snapshot (not evaluated yet) counts as healthy: at start-up every route
/// must work before the first probe lands.</para>
/// <para>Panic — no eligible target in any tier: <see cref="PanicPolicy.FailOpen"/> sends everything to the least-bad
/// target: not removed by an operator; then HalfOpen before Open (a trial is under way); then the break that ends
/// soonest; then the lowest failure ratio; then catalog order. <see cref="PanicPolicy.FailClosed"/> publishes no
/// target. Either way the route is flagged with a reason, never silently empty.</para>
/// </remarks>
public static class RoutingTableBuilder
{
    /// <summary>Effective weights are integers: configured weight × multiplier × 100.</summary>
    public const int WeightScale = 100;

    /// <summary>The status of a target paused by a provider's Retry-After (fleet-wide, issue #15).</summary>
    public const string PausedStatus = "paused (retry-after)";

    public static ComputedRoutingTable Build(
        ProviderCatalog catalog,
        IReadOnlyDictionary<TargetId, BreakerSnapshot> breakers,
        IReadOnlyList<Override> activeOverrides,
        DateTimeOffset now,
        IReadOnlyDictionary<TargetId, DateTimeOffset>? pausedUntil = null,
        int reportingGateways = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(breakers);
        ArgumentNullException.ThrowIfNull(activeOverrides);

        // Re-filtered here so a caller's slightly stale list cannot keep an expired override alive.
        var active = activeOverrides.Where(o => o.IsActiveAt(now)).ToList();
        var views = new Dictionary<TargetId, TargetView>();
        TargetView ViewOf(TargetId id)
        {
            if (!views.TryGetValue(id, out var view))
            {
                view = TargetView.Create(catalog, id, breakers, active);
                if (pausedUntil is not null && pausedUntil.TryGetValue(id, out var until) && until > now)
                {
                    view = view.Paused();
                }

                views[id] = view;
            }

            return view;
        }

        // The gateway count matters (and is content) only when some target's concurrency is capped fleet-wide.
        return new ComputedRoutingTable(now, catalog.Routes.Values.Select(r => BuildRoute(r, ViewOf, active)))
        {
            ReportingGateways = catalog.Targets.Values.Any(t => t.MaxConcurrency is not null) ? Math.Max(1, reportingGateways) : null,
        };
    }

    private static ComputedRoute BuildRoute(RouteDefinition route, Func<TargetId, TargetView> viewOf, IReadOnlyList<Override> active)
    {
        var computed = BuildRouteCore(route, viewOf, active) with { Aliases = route.Aliases, Cache = route.Cache, OnContentPolicy = route.OnContentPolicy };
        return route.Degradation is null ? computed : computed with
        {
            Degradation = DegradationDecider.Decide(route, computed, id => viewOf(id) is { RemovedByOperator: false, Snapshot: { State: CircuitState.Open, OpenUntil: { } end } } ? end : null),
        };
    }

    private static ComputedRoute BuildRouteCore(RouteDefinition route, Func<TargetId, TargetView> viewOf, IReadOnlyList<Override> active)
    {
        var tiers = UnprovenRouting.Apply(
            route.Tiers
                .Select((tier, index) => new ComputedTier(index, tier.Targets.Select(w => viewOf(w.Target).ToComputed(w.Weight, w.Overlay)).ToList()))
                .ToList(),
            id => viewOf(id).ForcedClosed);

        var pin = OverrideResolver.PinFor(route.Id, active);
        string? pinNote = null;
        if (pin is not null)
        {
            var pinnedTier = tiers.FirstOrDefault(t => t.Targets.Any(x => x.Target == pin.Target));
            if (pinnedTier is not null)
            {
                var view = viewOf(pin.Target);
                var note = view.Multiplier > 0 ? pin.Describe() : $"{pin.Describe()}; target is {view.Status}";
                return new ComputedRoute(route.Id, route.PanicPolicy, tiers, pinnedTier.Index,
                    [new RoutedTarget(pin.Target, WeightScale)], Panic: false, PanicReason: null, pin.Id, note);
            }

            pinNote = $"pin {pin.Id} ignored: {pin.Target} is not a target of this route";
        }

        var activeTier = tiers.FirstOrDefault(t => t.HasEligible);
        if (activeTier is not null)
        {
            var routed = activeTier.Targets.Where(t => t.Eligible).Select(t => new RoutedTarget(t.Target, t.EffectiveWeight)).ToList();
            return new ComputedRoute(route.Id, route.PanicPolicy, tiers, activeTier.Index, routed, false, null, null, pinNote);
        }

        var all = tiers.SelectMany(t => t.Targets).ToList();
        var summary = string.Join(", ", all.Select(t => t.Target).Distinct().Select(id => $"{id} {viewOf(id).Status}"));
        if (route.PanicPolicy == PanicPolicy.FailClosed)
        {
            return new ComputedRoute(route.Id, route.PanicPolicy, tiers, null, [], true,
                $"no eligible target ({summary}); fail-closed: no target", null, pinNote);
        }

        var pick = all
            .Select((t, order) => (View: viewOf(t.Target), Order: order))
            .Where(x => !x.View.RemovedByOperator)
            .OrderBy(x => x.View.PanicRank)
            .ThenBy(x => x.View.Snapshot.OpenUntil ?? DateTimeOffset.MinValue)
            .ThenBy(x => x.View.Snapshot.FailureRatio)
            .ThenBy(x => x.Order)
            .Select(x => x.View)
            .FirstOrDefault();

        return pick is null
            ? new ComputedRoute(route.Id, route.PanicPolicy, tiers, null, [], true,
                $"no eligible target ({summary}); fail-open found none: every target is removed by an operator", null, pinNote)
            : new ComputedRoute(route.Id, route.PanicPolicy, tiers, null, [new RoutedTarget(pick.Id, WeightScale)], true,
                $"no eligible target ({summary}); failing open to least-bad {pick.Id}", null, pinNote);
    }

    private sealed record TargetView(TargetId Id, BreakerSnapshot Snapshot, double Multiplier, string Status, bool RemovedByOperator)
    {
        /// <summary>The breaker's slow-start ramp; none under an override, which decides the weight outright.</summary>
        public SlowStartEntry? SlowStart { get; init; }

        /// <summary>The model's context window from the catalog.</summary>
        public int? ContextWindow { get; init; }

        /// <summary>The fleet-wide concurrency ceiling from the catalog.</summary>
        public int? MaxConcurrency { get; init; }

        /// <summary>An operator forced the breaker closed: the target takes traffic whatever the evidence says.</summary>
        public bool ForcedClosed { get; init; }

        public int PanicRank => Snapshot.State switch
        {
            CircuitState.Closed or CircuitState.Degraded => 0,
            CircuitState.HalfOpen => 1,
            _ => 2,
        };

        public static TargetView Create(
            ProviderCatalog catalog, TargetId id, IReadOnlyDictionary<TargetId, BreakerSnapshot> breakers, IReadOnlyList<Override> active)
        {
            var snapshot = breakers.TryGetValue(id, out var s) ? s : BreakerSnapshot.Healthy;
            if (!catalog.Targets.TryGetValue(id, out var definition))
            {
                return new TargetView(id, snapshot, 0, "unknown to the catalog", RemovedByOperator: true);
            }

            var effect = OverrideResolver.ForTarget(definition, active);
            var multiplier = Math.Clamp(snapshot.WeightMultiplier, 0, 1);
            return CreateCore(id, snapshot, effect, multiplier) with
            {
                ContextWindow = definition.ContextWindow,
                MaxConcurrency = definition.MaxConcurrency,
            };
        }

        private static TargetView CreateCore(TargetId id, BreakerSnapshot snapshot, TargetOverrideEffect effect, double multiplier)
        {
            return effect.Kind switch
            {
                TargetOverrideKind.Removed => new TargetView(id, snapshot, 0, effect.Source!.Describe(), true),
                TargetOverrideKind.ForcedClosed => new TargetView(id, snapshot, 1, effect.Source!.Describe(), false) { ForcedClosed = true },
                _ => new TargetView(id, snapshot, multiplier, BreakerStatus(snapshot), false)
                {
                    SlowStart = multiplier > 0 ? snapshot.SlowStart : null,
                },
            };
        }

        // The weight is the full (un-ramped) one: the ramp goes along as data and each data plane applies it with its
        // own clock, so tier choice and the table's content do not move while a target ramps up.
        public ComputedTarget ToComputed(int configuredWeight, TargetOverlay? overlay)
        {
            var eligible = Multiplier > 0 && configuredWeight > 0;
            var weight = eligible ? Math.Max(1, (int)Math.Round(configuredWeight * Multiplier * WeightScale, MidpointRounding.AwayFromZero)) : 0;
            return new ComputedTarget(Id, configuredWeight, weight, eligible, Snapshot.State, Status, overlay, eligible ? SlowStart : null)
            {
                ContextWindow = ContextWindow,
                MaxConcurrency = MaxConcurrency,
                // Shown where it matters: on a target that would take traffic. An open or paused target is out already,
                // and its own status says why; flagging it too would cost versions that decide nothing.
                Unproven = Snapshot.Unproven && eligible,
            };
        }

        /// <summary>
        /// A provider's Retry-After pause: not eligible until it ends, unless an operator decided the target's fate
        /// (removed stays removed, forced closed stays eligible) or the breaker already keeps it out (its own reason
        /// stays). The status does not name the end, so a pause that later hints extend is one published version, not
        /// one per hint.
        /// </summary>
        public TargetView Paused() =>
            RemovedByOperator || ForcedClosed || Multiplier <= 0
                ? this
                : this with { Multiplier = 0, Status = PausedStatus, SlowStart = null };

        private static string BreakerStatus(BreakerSnapshot s) => s.State switch
        {
            CircuitState.Closed => "closed",
            CircuitState.Degraded => "degraded",
            CircuitState.HalfOpen => "half-open trial",
            _ => "open",
        };
    }
}
