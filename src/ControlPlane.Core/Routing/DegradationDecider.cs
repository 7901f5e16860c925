using ControlPlane.Contracts;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Routing;

/// <summary>
/// A route's degradation decision, a pure function of its profile and its computed routing: the route's state
/// (normal: the primary tier takes the traffic; degraded: a lower tier does; panic) and, for each class, the action
/// the profile names for that state — except that a class cannot be served by tiers with nothing eligible.
/// </summary>
/// <remarks>
/// <para>Per class: in the normal state every class is served; in the degraded and panic states the class's rule for the
/// state applies. A class to be served whose tiers have no eligible target (in panic: not the panic pick's tier) is
/// given its degraded-state action instead, and shed if that is to be served too: never "served" by nothing.</para>
/// <para><c>retryAt</c> is the soonest end of a break among the primary tier's open targets (in panic: any target's):
/// when the class may be served again, the honest <c>Retry-After</c>. It only moves when a breaker trips or reopens,
/// which is a new version anyway.</para>
/// </remarks>
public static class DegradationDecider
{
    /// <param name="openUntil">The end of a target's break while it is open (and not removed by an operator); else null.</param>
    public static DegradationEntry Decide(RouteDefinition route, ComputedRoute computed, Func<TargetId, DateTimeOffset?> openUntil)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(computed);
        ArgumentNullException.ThrowIfNull(openUntil);
        var profile = route.Degradation ?? throw new ArgumentException($"Route '{route.Id}' has no degradation profile.", nameof(route));

        var state = computed.Panic ? DegradationStates.Panic
            : computed.ActiveTier is > 0 ? DegradationStates.Degraded
            : DegradationStates.Normal;

        // Tiers that can serve now: with an eligible target; in panic, the tier of the fail-open pick only.
        var servable = new bool[computed.Tiers.Count];
        if (computed.Panic)
        {
            if (computed.PinnedTarget is { } pick)
            {
                foreach (var tier in computed.Tiers.Where(t => t.Targets.Any(x => x.Target == pick)))
                {
                    servable[tier.Index] = true;
                }
            }
        }
        else
        {
            foreach (var tier in computed.Tiers)
            {
                servable[tier.Index] = tier.HasEligible || computed.Active.Any(a => tier.Targets.Any(x => x.Target == a.Target));
            }
        }

        var classes = new List<ClassEntry>(profile.Classes.Count);
        foreach (var rule in profile.Classes)
        {
            var tiers = new List<int>();
            var canServe = false;
            for (var i = 0; i < route.Tiers.Count; i++)
            {
                if (DegradationProfile.TierServes(route.Tiers[i], i, rule.Name))
                {
                    tiers.Add(i);
                    canServe |= i < servable.Length && servable[i];
                }
            }

            var action = state switch
            {
                DegradationStates.Panic => rule.Panic,
                DegradationStates.Degraded => rule.Degraded,
                _ => ClassAction.Serve,
            };
            if (action == ClassAction.Serve && !canServe)
            {
                action = rule.Degraded == ClassAction.Serve ? ClassAction.Shed : rule.Degraded;
            }

            classes.Add(new ClassEntry { Class = rule.Name, Action = NameOf(action), Tiers = tiers });
        }

        return new DegradationEntry
        {
            State = state,
            DefaultClass = profile.DefaultClass,
            HoldTimeoutMs = (long)profile.HoldTimeout.TotalMilliseconds,
            ShedStatus = profile.ShedStatus,
            RetryAt = state == DegradationStates.Normal && classes.All(c => c.Action == ClassActions.Serve)
                ? null
                : SoonestEnd(computed.Panic ? computed.Tiers : computed.Tiers.Take(1), openUntil),
            Classes = classes,
        };
    }

    public static string NameOf(ClassAction action) => action switch
    {
        ClassAction.Hold => ClassActions.Hold,
        ClassAction.Shed => ClassActions.Shed,
        _ => ClassActions.Serve,
    };

    private static DateTimeOffset? SoonestEnd(IEnumerable<ComputedTier> tiers, Func<TargetId, DateTimeOffset?> openUntil)
    {
        DateTimeOffset? soonest = null;
        foreach (var target in tiers.SelectMany(t => t.Targets))
        {
            if (openUntil(target.Target) is { } end && (soonest is null || end < soonest))
            {
                soonest = end;
            }
        }

        return soonest;
    }
}
