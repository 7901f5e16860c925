using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;
using Prometheus;

namespace ControlPlane.Service.Breakers;

internal static class BreakerMetrics
{
    private static readonly Gauge State = Metrics.CreateGauge(
        "controlplane_breaker_state",
        "Breaker state per target: 0 closed, 1 degraded, 2 half-open, 3 open.",
        "provider", "model");

    private static readonly Gauge Weight = Metrics.CreateGauge(
        "controlplane_breaker_weight_multiplier", "Weight multiplier the breaker applies (slow start, degraded, open = 0).", "provider", "model");

    private static readonly Counter Transitions = Metrics.CreateCounter(
        "controlplane_breaker_transitions_total", "Breaker transitions by the state entered.", "provider", "model", "to");

    private static readonly Gauge Version = Metrics.CreateGauge(
        "controlplane_routing_table_version", "Latest routing table version committed by this replica while leader.");

    private static readonly Gauge Panic = Metrics.CreateGauge(
        "controlplane_route_panic", "1 while a route has no eligible target and its panic policy applies.", "route");

    private static readonly Gauge Degradation = Metrics.CreateGauge(
        "controlplane_route_degradation",
        "1 for the degradation state a route with a profile is in (normal, degraded, panic), 0 for the others.", "route", "state");

    private static readonly Gauge ClassActions = Metrics.CreateGauge(
        "controlplane_route_class_action",
        "1 for what each request class of a route gets now (serve, hold, shed), 0 for the other actions.", "route", "class", "action");

    private static readonly string[] DegradationStates =
        [Contracts.DegradationStates.Normal, Contracts.DegradationStates.Degraded, Contracts.DegradationStates.Panic];

    private static readonly string[] Actions = [Contracts.ClassActions.Serve, Contracts.ClassActions.Hold, Contracts.ClassActions.Shed];

    private static readonly Gauge Unproven = Metrics.CreateGauge(
        "controlplane_target_unproven",
        "1 while a target has been tried but has never answered since it entered the control plane (kept out of routes with a proven target).",
        "provider", "model");

    private static readonly Histogram Evaluation = Metrics.CreateHistogram(
        "controlplane_evaluation_seconds", "Time to evaluate every breaker and compute the routing table.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });

    public static void Transition(TargetDefinition target, CircuitState to) =>
        Transitions.WithLabels(target.ProviderId, target.Model, to.ToString().ToLowerInvariant()).Inc();

    public static void Observe(TargetDefinition target, BreakerEvaluation evaluation)
    {
        State.WithLabels(target.ProviderId, target.Model).Set(evaluation.State.State switch
        {
            CircuitState.Closed => 0,
            CircuitState.Degraded => 1,
            CircuitState.HalfOpen => 2,
            _ => 3,
        });
        Weight.WithLabels(target.ProviderId, target.Model).Set(evaluation.WeightMultiplier);
        Unproven.WithLabels(target.ProviderId, target.Model).Set(evaluation.Unproven ? 1 : 0);
    }

    public static void TableVersion(long version) => Version.Set(version);

    public static void Routes(ComputedRoutingTable table)
    {
        foreach (var route in table.Routes)
        {
            Panic.WithLabels(route.RouteId).Set(route.Panic ? 1 : 0);
            if (route.Degradation is not { } degradation)
            {
                continue;
            }

            foreach (var state in DegradationStates)
            {
                Degradation.WithLabels(route.RouteId, state).Set(state == degradation.State ? 1 : 0);
            }

            foreach (var entry in degradation.Classes)
            {
                foreach (var action in Actions)
                {
                    ClassActions.WithLabels(route.RouteId, entry.Class, action).Set(action == entry.Action ? 1 : 0);
                }
            }
        }
    }

    public static void Evaluated(TimeSpan elapsed) => Evaluation.Observe(elapsed.TotalSeconds);
}
