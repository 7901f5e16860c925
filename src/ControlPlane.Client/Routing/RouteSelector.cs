using ControlPlane.Contracts;

namespace ControlPlane.Client;

/// <summary>A target chosen for one request.</summary>
/// <param name="Route">The route's id (also when it was asked for by one of its aliases).</param>
/// <param name="Target">Target id (<c>provider/model</c>).</param>
/// <param name="Provider">Provider id: map it to your own base URL and key.</param>
/// <param name="Model">Model name to send to the provider.</param>
/// <param name="Tier">Index of the tier the target is in.</param>
/// <param name="Weight">
/// Its weight when it was chosen: the table's weight with the target's slow-start ramp, if any, applied at that instant
/// (<see cref="SlowStartRamp.Weight"/>).
/// </param>
/// <param name="Panic">True when the route is in panic (the control plane failed open to this target).</param>
/// <param name="Pinned">True when the route is pinned to this target (operator pin or fail-open panic pick).</param>
/// <param name="Version">Version of the table the decision came from.</param>
public sealed record TargetSelection(
    string Route, string Target, string Provider, string Model, int Tier, int Weight, bool Panic, bool Pinned, long Version)
{
    /// <summary>The overlay to apply to requests sent to this target through this route; null when none.</summary>
    public TargetOverlay? Overlay { get; init; }

    /// <summary>The target's context window in tokens (<see cref="TargetEntry.ContextWindow"/>); null when unknown.</summary>
    public int? ContextWindow { get; init; }

    /// <summary>The route's rule for a content-policy refusal (<see cref="ContentPolicyRules"/>).</summary>
    public string OnContentPolicy { get; init; } = ContentPolicyRules.Return;
}

/// <summary>
/// Picks targets for a route from the current routing table. <c>route</c> is what the client sent: a route id or an
/// alias of one (see <see cref="RouteNameResolver"/> for the rule).
/// </summary>
public interface IRouteSelector
{
    /// <summary>Picks the target for one request: weighted random among the active tier's eligible targets.</summary>
    /// <exception cref="NoRoutingTableException">No table has ever been received (nor cached).</exception>
    /// <exception cref="UnknownRouteException">The table has no such route, nor a route with such an alias.</exception>
    /// <exception cref="RouteUnavailableException">The route has no target to send to (fail-closed panic).</exception>
    TargetSelection Select(string route);

    /// <summary>
    /// Every target worth trying, in order, for a safety net: the <see cref="Select"/> pick first, then the rest of
    /// the active tier by weight (highest first), then the eligible targets of the other tiers in tier order.
    /// </summary>
    /// <exception cref="NoRoutingTableException">No table has ever been received (nor cached).</exception>
    /// <exception cref="UnknownRouteException">The table has no such route, nor a route with such an alias.</exception>
    /// <exception cref="RouteUnavailableException">The route has no target to send to (fail-closed panic).</exception>
    IReadOnlyList<TargetSelection> SelectOrder(string route);

    /// <summary>
    /// The current table's entry for a route id or alias (its degradation profile, cache, tiers), resolved by the same
    /// rule as <see cref="Select"/>; null when there is no table or no such route.
    /// </summary>
    RouteEntry? Resolve(string route);
}

/// <summary>
/// Selection rules, applied to the route's entry in the current table:
/// <list type="number">
/// <item><c>pinnedTarget</c> set (operator pin, or the fail-open panic pick): that target.</item>
/// <item>Otherwise the active tier — <c>activeTier</c>, or the first tier with an eligible target if that tier has
/// none — split by weight among its eligible targets (weight &gt; 0).</item>
/// <item>Otherwise (panic with no pick, i.e. fail-closed): <see cref="RouteUnavailableException"/> carrying the
/// control plane's <c>panicReason</c>. Never a silent empty answer.</item>
/// </list>
/// A target with a <c>slowStart</c> ramp weighs what the ramp gives at the moment of the call, on this process's clock
/// (the table itself does not change while a target ramps up).
/// Thread-safe. Pass a seeded <see cref="Random"/> for reproducible choices (calls on it are serialized).
/// </summary>
public sealed class RouteSelector : IRouteSelector
{
    private readonly IRoutingTableSource _source;
    private readonly Random _random;
    private readonly TimeProvider _time;
    private readonly Lock _randomGate = new();
    private volatile Index? _index;

    /// <summary>Creates a selector using <see cref="Random.Shared"/> and the system clock.</summary>
    public RouteSelector(IRoutingTableSource source)
        : this(source, Random.Shared, TimeProvider.System)
    {
    }

    /// <summary>Creates a selector using <see cref="Random.Shared"/> and a given clock (for slow-start ramps).</summary>
    public RouteSelector(IRoutingTableSource source, TimeProvider time)
        : this(source, Random.Shared, time)
    {
    }

    /// <summary>Creates a selector with a given random source and the system clock.</summary>
    public RouteSelector(IRoutingTableSource source, Random random)
        : this(source, random, TimeProvider.System)
    {
    }

    /// <summary>Creates a selector with a given random source and clock.</summary>
    public RouteSelector(IRoutingTableSource source, Random random, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(time);
        _source = source;
        _random = random;
        _time = time;
    }

    /// <inheritdoc />
    public TargetSelection Select(string route)
    {
        var (entry, version) = Find(route);
        var clock = new Clock(_time);
        if (Pinned(entry) is { } pinned)
        {
            return ToSelection(entry, version, pinned.Tier, pinned.Target, isPinned: true, ref clock);
        }

        var tier = ActiveTier(entry) ?? throw Unavailable(entry, version);

        // Two passes over the tier instead of a filtered list: this runs for every gateway request.
        var targets = entry.Tiers[tier].Targets;
        var total = 0L;
        for (var i = 0; i < targets.Count; i++)
        {
            total += CurrentWeight(targets[i], ref clock);
        }

        var ticket = NextLong(total);
        var last = -1;
        for (var i = 0; i < targets.Count; i++)
        {
            var weight = CurrentWeight(targets[i], ref clock);
            if (weight == 0)
            {
                continue;
            }

            last = i;
            ticket -= weight;
            if (ticket < 0)
            {
                return ToSelection(entry, version, tier, targets[i], isPinned: false, ref clock);
            }
        }

        return ToSelection(entry, version, tier, targets[last], isPinned: false, ref clock);
    }

    /// <inheritdoc />
    public IReadOnlyList<TargetSelection> SelectOrder(string route)
    {
        var first = Select(route);
        var (entry, version) = Find(route);
        var order = new List<TargetSelection> { first };
        var seen = new HashSet<string>(StringComparer.Ordinal) { first.Target };
        var active = ActiveTier(entry);
        var clock = new Clock(_time);

        void AddTier(int index)
        {
            var tier = entry.Tiers[index].Targets.Where(IsEligible).Select(t => (Target: t, Weight: CurrentWeight(t, ref clock))).ToList();
            foreach (var (target, _) in tier.OrderByDescending(t => t.Weight))
            {
                if (seen.Add(target.Target))
                {
                    order.Add(ToSelection(entry, version, index, target, isPinned: false, ref clock));
                }
            }
        }

        if (active is { } activeIndex)
        {
            AddTier(activeIndex);
        }

        for (var i = 0; i < entry.Tiers.Count; i++)
        {
            if (i != active)
            {
                AddTier(i);
            }
        }

        return order;
    }

    /// <inheritdoc />
    public RouteEntry? Resolve(string route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return _source.Current is { } current ? IndexOf(current).Names.Resolve(route) : null;
    }

    private (RouteEntry Entry, long Version) Find(string route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var current = _source.Current ?? throw new NoRoutingTableException();
        return IndexOf(current).Names.Resolve(route) is { } entry
            ? (entry, current.Version)
            : throw new UnknownRouteException(route, current.Version);
    }

    // One resolver (and its name cache) per table, shared by every caller.
    private Index IndexOf(RoutingTableChanged current)
    {
        var index = _index;
        if (index is null || !ReferenceEquals(index.Message, current))
        {
            index = new Index(current, new RouteNameResolver(current.Table.Routes));
            _index = index;
        }

        return index;
    }

    private static bool IsEligible(TargetEntry target) => target.Eligible && target.Weight > 0;

    // A ramp's weight is at least 1, so eligibility (and with it the tier choice) never depends on the ramp.
    private static int CurrentWeight(TargetEntry target, ref Clock clock) =>
        !IsEligible(target) ? 0
        : target.SlowStart is { } ramp ? SlowStartRamp.Weight(target.Weight, ramp, clock.Now)
        : target.Weight;

    private static int? ActiveTier(RouteEntry entry)
    {
        if (entry.ActiveTier is { } declared && declared >= 0 && declared < entry.Tiers.Count && HasEligible(entry.Tiers[declared]))
        {
            return declared;
        }

        // Defensive: a table whose activeTier has nothing eligible still routes by the protocol's tier rule.
        for (var i = 0; i < entry.Tiers.Count; i++)
        {
            if (HasEligible(entry.Tiers[i]))
            {
                return i;
            }
        }

        return null;
    }

    private static bool HasEligible(TierEntry tier)
    {
        for (var i = 0; i < tier.Targets.Count; i++)
        {
            if (IsEligible(tier.Targets[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static (int Tier, TargetEntry Target)? Pinned(RouteEntry entry)
    {
        if (entry.PinnedTarget is not { } pinned)
        {
            return null;
        }

        for (var i = 0; i < entry.Tiers.Count; i++)
        {
            foreach (var target in entry.Tiers[i].Targets)
            {
                if (string.Equals(target.Target, pinned, StringComparison.Ordinal))
                {
                    return (i, target);
                }
            }
        }

        return null; // A pin naming a target outside the route cannot be resolved to a provider: route normally.
    }

    private static TargetSelection ToSelection(RouteEntry entry, long version, int tier, TargetEntry target, bool isPinned, ref Clock clock) =>
        new(entry.Route, target.Target, target.Provider, target.Model, tier,
            target.SlowStart is { } ramp ? SlowStartRamp.Weight(target.Weight, ramp, clock.Now) : target.Weight,
            entry.Panic, isPinned, version)
        {
            Overlay = target.Overlay,
            ContextWindow = target.ContextWindow,
            OnContentPolicy = ContentPolicyRules.Parse(entry.OnContentPolicy) ?? ContentPolicyRules.Return,
        };

    private static RouteUnavailableException Unavailable(RouteEntry entry, long version) =>
        new(entry.Route, entry.PanicReason ?? "no eligible target", version);

    private long NextLong(long maxExclusive)
    {
        if (ReferenceEquals(_random, Random.Shared))
        {
            return Random.Shared.NextInt64(maxExclusive);
        }

        lock (_randomGate)
        {
            return _random.NextInt64(maxExclusive);
        }
    }

    private sealed record Index(RoutingTableChanged Message, RouteNameResolver Names);

    /// <summary>Reads the clock at most once per call, and only when a target has a ramp: one instant per decision.</summary>
    private struct Clock(TimeProvider time)
    {
        private DateTimeOffset? _now;

        public DateTimeOffset Now => _now ??= time.GetUtcNow();
    }
}
