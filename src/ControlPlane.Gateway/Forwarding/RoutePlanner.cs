using ControlPlane.Client;
using ControlPlane.Gateway.Degradation;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Upstreams;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>A target worth trying, with the endpoint this gateway reaches it at.</summary>
internal sealed record Candidate(TargetSelection Target, UpstreamProvider Provider);

/// <summary>The targets to try for one request, in order, or why there are none (in the client's error terms).</summary>
internal sealed record Plan(string Route, IReadOnlyList<Candidate> Candidates, ApiFault? Refusal)
{
    public static Plan Refused(string route, ApiFault fault) => new(route, [], fault);
}

/// <summary>
/// Route → ordered candidates: the routing table's order (<see cref="IRouteSelector.SelectOrder"/>), less targets
/// this gateway has no endpoint for, less targets the local breaker is cooling down while the table is stale, less
/// targets a provider's retry hint paused (<see cref="RetryAfterPause"/>).
/// </summary>
internal sealed class RoutePlanner(
    IRouteSelector selector, IRoutingTableSource table, ProviderRegistry providers, LocalBreaker breaker, IOptions<GatewayOptions> options,
    RetryAfterPause pauses)
{
    private readonly LocalBreakerOptions _localBreaker = options.Value.LocalBreaker;

    /// <param name="admission">What the route's degradation profile allows: the tiers the request's class may use.</param>
    public Plan Plan(string model, Admission admission)
    {
        IReadOnlyList<TargetSelection> order;
        try
        {
            order = selector.SelectOrder(model);
        }
        catch (UnknownRouteException)
        {
            return Forwarding.Plan.Refused(GatewayMetrics.UnknownRoute, new ApiFault(404, FaultKind.NotFound,
                $"The model '{model}' is not a route or alias of this gateway (GET /v1/models lists them).", "model_not_found"));
        }
        catch (NoRoutingTableException)
        {
            return Forwarding.Plan.Refused(GatewayMetrics.UnknownRoute, new ApiFault(503, FaultKind.Unavailable,
                "The gateway has no routing table yet; retry shortly.", "no_routing_table"));
        }
        catch (RouteUnavailableException e)
        {
            return Forwarding.Plan.Refused(e.Route, new ApiFault(503, FaultKind.Unavailable, e.Message, "route_unavailable"));
        }

        var route = order[0].Route;
        var candidates = new List<Candidate>(order.Count);
        foreach (var target in order)
        {
            // A target this gateway has no endpoint for is another gateway's business.
            if (admission.Allows(target.Tier) && providers.Find(target.Provider) is { } provider)
            {
                candidates.Add(new Candidate(target, provider));
            }
        }

        if (candidates.Count == 0 && admission.Class is { } requestClass)
        {
            return Forwarding.Plan.Refused(route, new ApiFault(503, FaultKind.Unavailable,
                $"No target of route '{route}' that serves '{requestClass}' requests is available on this gateway.", "route_unavailable")
            {
                RetryAfterSeconds = 1,
            });
        }

        if (candidates.Count == 0)
        {
            return Forwarding.Plan.Refused(route, new ApiFault(502, FaultKind.Server,
                $"No target of route '{route}' has a provider configured on this gateway.", "upstream_failed"));
        }

        return new Plan(route, WithoutPaused(WithoutCoolingDown(candidates)), null);
    }

    // A target that asked for a pause (429 with a retry hint) is not asked again before the hint runs out; the table
    // catches up fleet-wide a moment later. Never a black hole: all paused means trying them anyway.
    private List<Candidate> WithoutPaused(List<Candidate> candidates)
    {
        if (candidates.Count < 2 || !candidates.Exists(c => pauses.IsPaused(c.Target.Target)))
        {
            return candidates;
        }

        var open = candidates.FindAll(c => !pauses.IsPaused(c.Target.Target));
        if (open.Count == 0)
        {
            return candidates;
        }

        foreach (var candidate in candidates)
        {
            if (pauses.IsPaused(candidate.Target.Target))
            {
                RetryAfterPause.Skips.WithLabels(candidate.Target.Target).Inc();
            }
        }

        return open;
    }

    private List<Candidate> WithoutCoolingDown(List<Candidate> candidates)
    {
        // With a fresh table the control plane's breakers decide; only a stale one needs our own memory of failures.
        if (table.Staleness is not { } staleness || staleness <= _localBreaker.StaleAfter || candidates.Count < 2)
        {
            return candidates;
        }

        var healthy = new List<Candidate>(candidates.Count);
        foreach (var candidate in candidates)
        {
            if (breaker.IsOpen(candidate.Target.Target))
            {
                GatewayMetrics.LocalBreakerSkips.WithLabels(candidate.Target.Target).Inc();
            }
            else
            {
                healthy.Add(candidate);
            }
        }

        // Never a black hole: every target cooling down means trying them anyway.
        return healthy.Count > 0 ? healthy : candidates;
    }
}
